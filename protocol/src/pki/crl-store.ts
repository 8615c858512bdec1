/**
 * The current CRL per issuer, as a verifier holds it (the vessel receives CRLs over MQTT, the console fetches
 * them). A CRL is accepted only when it verifies against the given issuer certificate and is newer (higher CRL
 * number) than the one held; every accepted CRL bumps `generation`, which invalidates cached paths (cache.ts).
 *
 * The issuer certificate passed to `accept` must itself be trusted by the caller (the configured issuing CA or a
 * certificate from a validated path); the store does not validate it. Path validation later re-checks each CRL
 * fully (signature by the path's issuer, scope, time window), so a CRL held here never widens trust.
 */
import '../reflect';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError, isHelmlinkError } from '../errors';
import { PublicKeyHandle } from './algorithms';
import { certInfo, KU } from './extensions';
import { checkCrlTime, crlInfo, isDelta, nextUpdateOf, type CrlInput } from './crl';

export interface CrlAcceptOptions {
  /** When given, a CRL issued after this time is refused (ERR_CRL_INVALID) and a stale one too (ERR_CRL_STALE). */
  time?: Date;
  /** Grace past nextUpdate when `time` is given. Default 0. */
  staleGraceSeconds?: number;
}

/** The issuer key of each CA certificate, imported once (not again for every CRL it signs). */
const issuerKeys = new WeakMap<x509.X509Certificate, PublicKeyHandle>();

function issuerKeyOf(issuer: x509.X509Certificate, spki: ConstructorParameters<typeof PublicKeyHandle>[0]) {
  let key = issuerKeys.get(issuer);
  if (!key) {
    key = new PublicKeyHandle(spki);
    issuerKeys.set(issuer, key);
  }
  return key;
}

/**
 * Holds the newest verified CRL per issuer, as X509Crl objects (the default) or as the one-pass parser's views
 * (`CrlStore<CrlInfo>`, fed by `parseCrlsIndexed`: no asn1js object graph for a large CRL).
 */
export class CrlStore<C extends CrlInput = x509.X509Crl> {
  readonly #byIssuer = new Map<string, { crl: C; number: bigint }>();
  #generation = 0;
  #list: C[] = [];

  /** Increases with every accepted CRL. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Accepts `crl` as the current CRL of `issuer` when its issuer name matches, its signature verifies with the
   * issuer's key (which must allow cRLSign), it has no unknown critical extension, it is a complete CRL with a CRL
   * number and a nextUpdate (without one it would never become stale), and that number is higher than the held one. Throws ERR_CRL_INVALID, ERR_CRL_CRITICAL_EXTENSION,
   * ERR_CRL_MALFORMED, ERR_CRL_STALE or ERR_CRL_NOT_NEWER.
   */
  async accept(crl: C, issuer: x509.X509Certificate, options: CrlAcceptOptions = {}): Promise<void> {
    const info = crlInfo(crl);
    const issuerInfo = certInfo(issuer);
    if (info.issuerKey !== issuerInfo.subjectKey) {
      throw new HelmlinkError('ERR_CRL_INVALID', `the CRL issuer ${info.issuer} is not ${issuer.subject}`);
    }
    if (issuerInfo.keyUsage !== undefined && !(issuerInfo.keyUsage & KU.cRLSign)) {
      throw new HelmlinkError('ERR_CRL_INVALID', `${issuer.subject} may not sign CRLs (no cRLSign)`);
    }
    if (info.scheme instanceof HelmlinkError)
      throw new HelmlinkError('ERR_CRL_INVALID', info.scheme.message, { cause: info.scheme });
    let ok: boolean;
    try {
      ok = await issuerKeyOf(issuer, issuerInfo.asn.tbsCertificate.subjectPublicKeyInfo).verify(
        info.scheme,
        info.tbs,
        info.signature,
      );
    } catch (err) {
      if (!isHelmlinkError(err)) throw err;
      throw new HelmlinkError('ERR_CRL_INVALID', err.message, { cause: err });
    }
    if (!ok)
      throw new HelmlinkError(
        'ERR_CRL_INVALID',
        `the CRL signature does not verify with the key of ${issuer.subject}`,
      );
    if (info.refusal) throw info.refusal;
    if (isDelta(info))
      throw new HelmlinkError('ERR_CRL_INVALID', 'a delta CRL cannot replace a complete CRL');
    // The parser already refused (info.refusal) a CRL without a number.
    const number = info.number!;
    nextUpdateOf(info);
    if (options.time) checkCrlTime(info, options.time.getTime(), (options.staleGraceSeconds ?? 0) * 1000);
    const held = this.#byIssuer.get(info.issuerKey);
    if (held && number <= held.number) {
      throw new HelmlinkError(
        'ERR_CRL_NOT_NEWER',
        `CRL number ${number} is not newer than the held ${held.number}`,
        {
          details: { number: number.toString(), held: held.number.toString() },
        },
      );
    }
    this.#byIssuer.set(info.issuerKey, { crl, number });
    this.#list = [...this.#byIssuer.values()].map((e) => e.crl);
    this.#generation++;
  }

  /** The held CRLs, one per issuer (a stable array until the next accepted CRL). */
  crls(): readonly C[] {
    return this.#list;
  }

  /** The held CRL of an issuer certificate's subject, if any. */
  current(issuer: x509.X509Certificate): C | undefined {
    return this.#byIssuer.get(certInfo(issuer).subjectKey)?.crl;
  }
}
