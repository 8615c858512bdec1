/**
 * Certificate revocation lists (RFC 5280 5 and 6.3): parsing, scope (issuing distribution point against the
 * certificate's CRL distribution points), validity window with a stale grace, reason codes, complete and delta
 * CRLs, and the revocation status of one certificate.
 *
 * Decisions (see docs/pki.md):
 * - Only direct CRLs are used: the CRL issuer name must equal the certificate's issuer name. A CRL whose
 *   entries carry the certificateIssuer extension (an indirect CRL naming other issuers) is refused with
 *   ERR_CRL_CRITICAL_EXTENSION; a distribution point that names another cRLIssuer cannot be satisfied.
 * - Delta CRLs are applied on top of a complete CRL of the same scope whose number is at least the delta's
 *   BaseCRLNumber; a delta alone never decides a status.
 * - certificateHold counts as revoked; removeFromCRL (on a delta) releases a hold; a released certificate is
 *   simply absent from the next complete CRL.
 * - Several complete CRLs of one scope: the valid one with the highest CRL number (then latest thisUpdate) wins.
 */
import '../reflect';
import type { DistributionPoint, DistributionPointName, Name } from '@peculiar/asn1-x509';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError } from '../errors';
import type { CrlEntryInfo } from './crl-index';
import { type CrlInfo, isCrlInfo, parseCrlDer } from './crl-parse';
import { type CertInfo, isCa } from './extensions';
import { generalNameKey, nameKey, nameKeyWithRdn } from './names';
import { REMOVE_FROM_CRL } from '../vocabulary/revocation';

export type { CrlInfo } from './crl-parse';
export type { CrlEntryInfo } from './crl-index';

/** A CRL as validation accepts it: an @peculiar/x509 object, or one already parsed by {@link parseCrlDer}. */
export type CrlInput = x509.X509Crl | CrlInfo;

/** Reason flags bits 1..8 (keyCompromise .. aACompromise): every reason a certificate can be revoked for. */
export const ALL_REASONS = 0b1_1111_1110;

const parsedCrls = new WeakMap<x509.X509Crl, CrlInfo>();

/**
 * The validation view of a CRL (parsed once per object, from its DER, by the one-pass parser: the structure
 * @peculiar/x509 decoded is not walked again). Throws ERR_CRL_MALFORMED.
 */
export function crlInfo(crl: CrlInput): CrlInfo {
  if (isCrlInfo(crl)) return crl;
  let info = parsedCrls.get(crl);
  if (!info) {
    info = parseCrlDer(new Uint8Array(crl.rawData));
    parsedCrls.set(crl, info);
  }
  return info;
}

/** True for a delta CRL. */
export function isDelta(info: CrlInfo): boolean {
  return info.deltaBase !== undefined;
}

function dpNameKeys(dpn: DistributionPointName, relativeTo: Name): string[] {
  // A CHOICE: the decoder fills exactly one of the two.
  if (dpn.fullName) return dpn.fullName.map(generalNameKey);
  return [`dn:${nameKeyWithRdn(relativeTo, dpn.nameRelativeToCRLIssuer!)}`];
}

/** The distribution points of a certificate, or the implied one (the issuer, all reasons) when it names none. */
function distributionPoints(cert: CertInfo): readonly DistributionPoint[] {
  return cert.crlDistributionPoints && cert.crlDistributionPoints.length > 0
    ? cert.crlDistributionPoints
    : [{} as DistributionPoint];
}

/**
 * RFC 5280 6.3.3 (b) and (d): the reasons for which `crl` covers `cert` (0 when it is out of scope).
 * Only direct CRLs reach here: the CRL issuer equals the certificate's issuer.
 */
export function crlScope(cert: CertInfo, crl: CrlInfo): number {
  const idp = crl.idp;
  if (idp) {
    if (idp.onlyContainsAttributeCerts) return 0;
    if (idp.onlyContainsUserCerts && isCa(cert)) return 0;
    if (idp.onlyContainsCACerts && !isCa(cert)) return 0;
  }
  const idpNames = idp?.distributionPoint
    ? new Set(dpNameKeys(idp.distributionPoint, crl.issuerName))
    : undefined;
  const idpReasons = idp?.onlySomeReasons ? idp.onlySomeReasons.toNumber() & ALL_REASONS : ALL_REASONS;
  let mask = 0;
  for (const dp of distributionPoints(cert)) {
    if (dp.cRLIssuer) {
      // A distribution point naming a CRL issuer wants an indirect CRL from it (RFC 5280 6.3.3 (b)(1)).
      const named = dp.cRLIssuer.some(
        (gn) => gn.directoryName !== undefined && nameKey(gn.directoryName) === crl.issuerKey,
      );
      if (!named || !idp?.indirectCRL) continue;
    }
    if (idpNames) {
      // RFC 5280 6.3.3 (b)(2)(i): the point's name, else its cRLIssuer names; the implied point has neither.
      const dpNames = dp.distributionPoint
        ? dpNameKeys(dp.distributionPoint, crl.issuerName)
        : dp.cRLIssuer?.map(generalNameKey);
      if (!dpNames?.some((n) => idpNames.has(n))) continue;
    }
    const dpReasons = dp.reasons ? dp.reasons.toNumber() & ALL_REASONS : ALL_REASONS;
    mask |= dpReasons & idpReasons;
  }
  return mask;
}

/** What a usable CRL says about one serial: undefined when not listed (or released by removeFromCRL). */
export function lookupEntry(crl: CrlInfo, serial: string): CrlEntryInfo | undefined {
  const entry = crl.entries.get(serial);
  if (!entry || entry.reasonCode === REMOVE_FROM_CRL) return undefined;
  return entry;
}

/** True when a delta CRL lists the serial as removed (a released hold). */
export function deltaReleases(delta: CrlInfo, serial: string): boolean {
  return delta.entries.get(serial)?.reasonCode === REMOVE_FROM_CRL;
}

/** Orders CRLs newest first: higher CRL number, then later thisUpdate. */
export function newerFirst(a: CrlInfo, b: CrlInfo): number {
  const an = a.number ?? -1n;
  const bn = b.number ?? -1n;
  if (an > bn) return -1;
  if (an < bn) return 1;
  return b.thisUpdate - a.thisUpdate;
}

/**
 * The CRL's nextUpdate. A CRL without one would never become stale (its freshness horizon would be NaN, and every
 * comparison with NaN is false), so it is refused wherever it is offered: ERR_CRL_INVALID.
 */
export function nextUpdateOf(crl: CrlInfo): number {
  if (crl.nextUpdate === undefined)
    throw new HelmlinkError('ERR_CRL_INVALID', `the CRL of ${crl.issuer} has no nextUpdate`);
  return crl.nextUpdate;
}

/**
 * The time checks of a CRL at `time`: thisUpdate not in the future (ERR_CRL_INVALID), nextUpdate present and not
 * passed by more than the grace (ERR_CRL_STALE). Returns the CRL's horizon (nextUpdate + grace).
 */
export function checkCrlTime(crl: CrlInfo, time: number, graceMs: number): number {
  if (crl.thisUpdate > time) {
    throw new HelmlinkError(
      'ERR_CRL_INVALID',
      `the CRL of ${crl.issuer} was issued after the verification time (thisUpdate ${new Date(crl.thisUpdate).toISOString()})`,
    );
  }
  const nextUpdate = nextUpdateOf(crl);
  const horizon = nextUpdate + graceMs;
  if (horizon < time) {
    const at = new Date(nextUpdate).toISOString();
    throw new HelmlinkError('ERR_CRL_STALE', `the CRL of ${crl.issuer} is stale (nextUpdate ${at})`, {
      details: { nextUpdate: at },
    });
  }
  return horizon;
}
