/**
 * The vessel's CRL cache: the newest verified CRL per issuing CA, usable offline, refreshed over HTTPS and from the
 * retained MQTT CRL topic. A candidate CRL is accepted only when its signature verifies against a CA certificate
 * of this vessel's own chain (the issuing CA, or the pinned root for the root's CRL) and its CRL number is higher
 * than the one held for that issuer. Implements the envelope's CrlProvider: `generation` increases on every change,
 * which invalidates the verifier's cached signer paths.
 */
import type * as x509 from '@peculiar/x509';
import { HelmlinkError, crlNumberOf, parseCrls } from '@helmlink/protocol';

/** Why a candidate CRL was accepted or not. */
export type CrlOfferResult = { accepted: true; crlNumber: number; issuer: string } | { accepted: false; code: string; reason: string };

export class CrlCache {
  private readonly byIssuer = new Map<string, x509.X509Crl>();
  private _generation = 0;
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
    return this._generation;
  }

  /** The CRLs held. */
  current(): readonly x509.X509Crl[] {
    return [...this.byIssuer.values()];
  }

  /** The CRL held for the issuer of `cert` (e.g. the vessel's issuing CA). */
  forIssuerOf(cert: x509.X509Certificate): x509.X509Crl | undefined {
    return this.byIssuer.get(cert.issuer);
  }

  /**
   * Offers a CRL (X509Crl, PEM or DER). Accepted when it verifies against one of the CA certificates and is
   * newer (higher CRL number) than the one held for that issuer.
   */
  async offer(candidate: x509.X509Crl | string | Uint8Array): Promise<CrlOfferResult> {
    let crls: x509.X509Crl[];
    try {
      crls = typeof candidate === 'string' || candidate instanceof Uint8Array ? parseCrls(candidate) : [candidate];
    } catch (err) {
      return { accepted: false, code: 'ERR_CRL_MALFORMED', reason: (err as Error).message };
    }
    if (crls.length !== 1) return { accepted: false, code: 'ERR_CRL_MALFORMED', reason: `expected one CRL, got ${crls.length}` };
    const crl = crls[0]!;
    const number = crlNumberOf(crl);
    if (number === undefined) return { accepted: false, code: 'ERR_CRL_INVALID', reason: 'the CRL has no CRL number' };
    let verified = false;
    for (const ca of this.cas) {
      if (ca.subject !== crl.issuer) continue;
      try {
        if (await crl.verify({ publicKey: ca.publicKey })) {
          verified = true;
          break;
        }
      } catch {
        // a CA with another key type: try the next one
      }
    }
    if (!verified) return { accepted: false, code: 'ERR_CRL_INVALID', reason: `the CRL of ${crl.issuer} does not verify against a CA of this vessel` };
    const held = this.byIssuer.get(crl.issuer);
    const heldNumber = held ? (crlNumberOf(held) ?? -1) : -1;
    if (number <= heldNumber) return { accepted: false, code: 'ERR_CRL_NOT_NEWER', reason: `CRL number ${number} is not newer than ${heldNumber}` };
    this.byIssuer.set(crl.issuer, crl);
    this._generation++;
    return { accepted: true, crlNumber: number, issuer: crl.issuer };
  }

  /** Offers several CRLs; returns how many were accepted. */
  async offerAll(crls: readonly x509.X509Crl[]): Promise<number> {
    let n = 0;
    for (const crl of crls) if ((await this.offer(crl)).accepted) n++;
    return n;
  }

  /**
   * Throws ERR_CRL_STALE when the CRL of `cert`'s issuer is past nextUpdate + grace at `nowMs`, ERR_CRL_MISSING when
   * there is none. Used by `status` and before the listener starts trusting.
   */
  assertFresh(cert: x509.X509Certificate, nowMs: number, graceSeconds: number): x509.X509Crl {
    const crl = this.forIssuerOf(cert);
    if (!crl) throw new HelmlinkError('ERR_CRL_MISSING', `no CRL of ${cert.issuer} is cached`);
    if (crl.nextUpdate && nowMs > crl.nextUpdate.getTime() + graceSeconds * 1000) {
      throw new HelmlinkError('ERR_CRL_STALE', `the CRL of ${cert.issuer} expired at ${crl.nextUpdate.toISOString()}`);
    }
    return crl;
  }
}
