/**
 * The vessel's CRL cache: the newest verified CRL per issuing CA (held in the protocol's CrlStore), usable offline,
 * refreshed over HTTPS and from the retained MQTT CRL topic. A candidate CRL is accepted only when it verifies
 * against a CA certificate of this vessel's own trust (the issuing CA of its chain, or the pinned root for the
 * root's CRL) and its CRL number is higher than the one held. Implements the envelope's CrlProvider: `generation`
 * increases on every change, which invalidates the verifier's cached signer paths. CRLs are held as the one-pass
 * parser's views (`parseCrlsIndexed`: no asn1js object graph, a fleet CRL is parsed and indexed in milliseconds).
 */
import type * as x509 from '@peculiar/x509';
import {
  CrlStore,
  HelmlinkError,
  crlInfo,
  isHelmlinkError,
  parseCrlsIndexed,
  type CrlInfo,
  type CrlInput,
  type ErrorCode,
} from '@helmlink/protocol';

/** Why a candidate CRL was accepted or not. */
export type CrlOfferResult =
  | { accepted: true; crlNumber: number | undefined; issuer: string }
  | { accepted: false; code: ErrorCode; reason: string };

export class CrlCache {
  private readonly store = new CrlStore<CrlInfo>();
  private cas: readonly x509.X509Certificate[];

  /** `cas`: the CA certificates CRLs may come from (the pinned root and the issuing CA of the vessel's chain). */
  constructor(cas: readonly x509.X509Certificate[]) {
    this.cas = cas;
  }

  /** Replaces the CA certificates (after a renewal brought a new issuing CA certificate). */
  setIssuers(cas: readonly x509.X509Certificate[]): void {
    this.cas = cas;
  }

  /** Increases whenever the set of CRLs changes. */
  get generation(): number {
    return this.store.generation;
  }

  /** The CRLs held (the envelope's CrlProvider contract). */
  crls(): readonly CrlInfo[] {
    return this.store.crls();
  }

  /** The CRL held for the issuer of `cert` (e.g. the vessel's issuing CA). */
  forIssuerOf(cert: x509.X509Certificate): CrlInfo | undefined {
    const issuer = this.cas.find((ca) => ca.subject === cert.issuer);
    return issuer ? this.store.current(issuer) : undefined;
  }

  /**
   * Offers a CRL (PEM, DER, a parsed view or an X509Crl, taken as its DER). Accepted when it verifies against one
   * of the CA certificates and is newer (higher CRL number) than the one held for that issuer.
   */
  async offer(candidate: CrlInput | string | Uint8Array): Promise<CrlOfferResult> {
    let crls: CrlInfo[];
    try {
      crls =
        typeof candidate === 'string' || candidate instanceof Uint8Array
          ? parseCrlsIndexed(candidate)
          : [crlInfo(candidate)];
    } catch (err) {
      return { accepted: false, code: 'ERR_CRL_MALFORMED', reason: (err as Error).message };
    }
    if (crls.length !== 1)
      return { accepted: false, code: 'ERR_CRL_MALFORMED', reason: `expected one CRL, got ${crls.length}` };
    const crl = crls[0]!;
    const issuers = this.cas.filter((ca) => ca.subject === crl.issuer);
    if (issuers.length === 0)
      return {
        accepted: false,
        code: 'ERR_CRL_INVALID',
        reason: `the CRL issuer ${crl.issuer} is not a CA of this vessel`,
      };
    let last: { code: ErrorCode; reason: string } = { code: 'ERR_CRL_INVALID', reason: 'no issuer' };
    for (const issuer of issuers) {
      try {
        await this.store.accept(crl, issuer);
        return { accepted: true, crlNumber: crlNumber(crl), issuer: crl.issuer };
      } catch (err) {
        if (!isHelmlinkError(err)) throw err;
        last = { code: err.code, reason: err.message };
        if (err.code === 'ERR_CRL_NOT_NEWER') break;
      }
    }
    return { accepted: false, ...last };
  }

  /** Offers several CRLs; returns how many were accepted. */
  async offerAll(crls: readonly CrlInput[]): Promise<number> {
    let n = 0;
    for (const crl of crls) if ((await this.offer(crl)).accepted) n++;
    return n;
  }

  /**
   * Throws ERR_CRL_STALE when the CRL of `cert`'s issuer is past nextUpdate + grace at `nowMs`, ERR_CRL_MISSING when
   * there is none. Used for alerts and `status`; the verifier enforces the same rule on every command.
   */
  assertFresh(cert: x509.X509Certificate, nowMs: number, graceSeconds: number): CrlInfo {
    const crl = this.forIssuerOf(cert);
    if (!crl) throw new HelmlinkError('ERR_CRL_MISSING', `no CRL of ${cert.issuer} is cached`);
    if (crl.nextUpdate !== undefined && nowMs > crl.nextUpdate + graceSeconds * 1000) {
      throw new HelmlinkError(
        'ERR_CRL_STALE',
        `the CRL of ${cert.issuer} expired at ${new Date(crl.nextUpdate).toISOString()}`,
      );
    }
    return crl;
  }
}

/** The CRL number as a number (status and logs), undefined when absent or beyond the safe integers. */
export function crlNumber(crl: CrlInfo): number | undefined {
  return crl.number !== undefined && crl.number <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(crl.number)
    : undefined;
}
