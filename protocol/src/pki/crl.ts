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
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  CertificateList,
  CRLReason,
  type DistributionPoint,
  type DistributionPointName,
  type Extension,
  IssuingDistributionPoint,
  type Name,
} from '@peculiar/asn1-x509';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError } from '../errors';
import { signatureScheme, type SignatureScheme } from './algorithms';
import { readIntegerValue, signedPart, toHex } from './der';
import { type CertInfo, isCa } from './extensions';
import { generalNameKey, nameKey, nameKeyWithRdn } from './names';
import { REMOVE_FROM_CRL, crlReason } from '../vocabulary/revocation';

export const OID_CRL_NUMBER = '2.5.29.20';
export const OID_DELTA_CRL_INDICATOR = '2.5.29.27';
export const OID_ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
export const OID_CRL_REASON = '2.5.29.21';
export const OID_INVALIDITY_DATE = '2.5.29.24';
export const OID_HOLD_INSTRUCTION = '2.5.29.23';
export const OID_CERTIFICATE_ISSUER = '2.5.29.29';

/** CRL extensions this validator processes; any other critical one makes the CRL unusable. */
export const KNOWN_CRL_EXTENSIONS: ReadonlySet<string> = new Set([
  OID_CRL_NUMBER,
  OID_DELTA_CRL_INDICATOR,
  OID_ISSUING_DISTRIBUTION_POINT,
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.18', // issuerAltName
  '2.5.29.46', // freshestCRL
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);

/** CRL entry extensions this validator processes (certificateIssuer is deliberately absent: indirect CRLs are refused). */
export const KNOWN_CRL_ENTRY_EXTENSIONS: ReadonlySet<string> = new Set([OID_CRL_REASON, OID_INVALIDITY_DATE, OID_HOLD_INSTRUCTION]);


/** Reason flags bits 1..8 (keyCompromise .. aACompromise): every reason a certificate can be revoked for. */
export const ALL_REASONS = 0b1_1111_1110;

export interface CrlEntryInfo {
  reasonCode: number;
  reason: string;
}

/** Everything revocation checking needs from one CRL. */
export interface CrlInfo {
  crl: x509.X509Crl;
  raw: Uint8Array;
  tbs: Uint8Array;
  signature: Uint8Array;
  /** The accepted signature scheme, or the error that refuses it. */
  scheme: SignatureScheme | HelmlinkError;
  issuerName: Name;
  issuerKey: string;
  thisUpdate: number;
  nextUpdate: number | undefined;
  number: bigint | undefined;
  /** BaseCRLNumber when this is a delta CRL. */
  deltaBase: bigint | undefined;
  idp: IssuingDistributionPoint | undefined;
  /** Equal for CRLs of the same scope (the IDP's DER, '' without one). */
  scopeKey: string;
  akiKeyId: string | undefined;
  /** Why the CRL cannot be used at all (unknown critical extension, indirect entries), if so. */
  refusal: HelmlinkError | undefined;
  entries: Map<string, CrlEntryInfo>;
}

const parsedCrls = new WeakMap<x509.X509Crl, CrlInfo>();

/** Parses (once) the validation view of a CRL. Throws ERR_CRL_MALFORMED. */
export function crlInfo(crl: x509.X509Crl): CrlInfo {
  const cached = parsedCrls.get(crl);
  if (cached) return cached;
  const raw = new Uint8Array(crl.rawData);
  let info: CrlInfo;
  try {
    // Reuse the structure @peculiar/x509 decoded (its protected `asn`) when available.
    const decoded = (crl as unknown as { asn?: unknown }).asn;
    const asn = decoded instanceof CertificateList ? decoded : AsnConvert.parse(raw, CertificateList);
    const tbs = asn.tbsCertList;
    let scheme: SignatureScheme | HelmlinkError;
    try {
      scheme = signatureScheme(asn.signatureAlgorithm);
      if (tbs.signature.algorithm !== asn.signatureAlgorithm.algorithm) {
        scheme = new HelmlinkError('ERR_CRL_INVALID', 'the CRL signature algorithm differs from the one inside the signed part');
      }
    } catch (err) {
      if (!(err instanceof HelmlinkError)) throw err;
      scheme = err;
    }
    info = {
      crl,
      raw,
      tbs: signedPart(raw),
      signature: new Uint8Array(asn.signature),
      scheme,
      issuerName: tbs.issuer,
      issuerKey: nameKey(tbs.issuer),
      thisUpdate: tbs.thisUpdate.getTime().getTime(),
      nextUpdate: tbs.nextUpdate ? tbs.nextUpdate.getTime().getTime() : undefined,
      number: undefined,
      deltaBase: undefined,
      idp: undefined,
      scopeKey: '',
      akiKeyId: undefined,
      refusal: undefined,
      entries: new Map(),
    };
    const seen = new Set<string>();
    for (const ext of tbs.crlExtensions ?? []) {
      if (seen.has(ext.extnID)) throw new Error(`duplicate CRL extension ${ext.extnID}`);
      seen.add(ext.extnID);
      const value = new Uint8Array(ext.extnValue.buffer);
      switch (ext.extnID) {
        case OID_CRL_NUMBER:
          info.number = readIntegerValue(value);
          break;
        case OID_DELTA_CRL_INDICATOR:
          info.deltaBase = readIntegerValue(value);
          break;
        case OID_ISSUING_DISTRIBUTION_POINT:
          info.idp = AsnConvert.parse(ext.extnValue.buffer, IssuingDistributionPoint);
          info.scopeKey = toHex(value);
          break;
        case '2.5.29.35': {
          const aki = AsnConvert.parse(ext.extnValue.buffer, AuthorityKeyIdentifier);
          if (aki.keyIdentifier) info.akiKeyId = toHex(aki.keyIdentifier.buffer);
          break;
        }
        default:
          if (ext.critical && !KNOWN_CRL_EXTENSIONS.has(ext.extnID)) {
            info.refusal ??= new HelmlinkError('ERR_CRL_CRITICAL_EXTENSION', `the CRL carries the unknown critical extension ${ext.extnID}`, {
              details: { oid: ext.extnID },
            });
          }
      }
    }
    for (const entry of tbs.revokedCertificates ?? []) {
      const serial = toHex(entry.userCertificate);
      let reasonCode = 0;
      for (const ext of entry.crlEntryExtensions ?? []) {
        if (ext.extnID === OID_CRL_REASON) reasonCode = parseReason(ext);
        else if (ext.extnID === OID_CERTIFICATE_ISSUER) {
          info.refusal ??= new HelmlinkError('ERR_CRL_CRITICAL_EXTENSION', 'indirect CRL entries (certificateIssuer) are not supported', {
            details: { oid: ext.extnID },
          });
        } else if (ext.critical && !KNOWN_CRL_ENTRY_EXTENSIONS.has(ext.extnID)) {
          info.refusal ??= new HelmlinkError('ERR_CRL_CRITICAL_EXTENSION', `a CRL entry carries the unknown critical extension ${ext.extnID}`, {
            details: { oid: ext.extnID },
          });
        }
      }
      info.entries.set(serial, { reasonCode, reason: crlReason(reasonCode)?.name ?? `reason${reasonCode}` });
    }
  } catch (cause) {
    throw new HelmlinkError('ERR_CRL_MALFORMED', `CRL ${crl.issuer} cannot be parsed: ${(cause as Error).message}`, { cause });
  }
  parsedCrls.set(crl, info);
  return info;
}

function parseReason(ext: Extension): number {
  return AsnConvert.parse(ext.extnValue.buffer, CRLReason).reason as number;
}

/** True for a delta CRL. */
export function isDelta(info: CrlInfo): boolean {
  return info.deltaBase !== undefined;
}

function dpNameKeys(dpn: DistributionPointName, relativeTo: Name): string[] {
  if (dpn.fullName) return dpn.fullName.map(generalNameKey);
  if (dpn.nameRelativeToCRLIssuer) return [`dn:${nameKeyWithRdn(relativeTo, dpn.nameRelativeToCRLIssuer)}`];
  return [];
}

/** The distribution points of a certificate, or the implied one (the issuer, all reasons) when it names none. */
function distributionPoints(cert: CertInfo): readonly DistributionPoint[] {
  return cert.crlDistributionPoints && cert.crlDistributionPoints.length > 0 ? cert.crlDistributionPoints : [{} as DistributionPoint];
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
  const idpNames = idp?.distributionPoint ? new Set(dpNameKeys(idp.distributionPoint, crl.issuerName)) : undefined;
  const idpReasons = idp?.onlySomeReasons ? idp.onlySomeReasons.toNumber() & ALL_REASONS : ALL_REASONS;
  let mask = 0;
  for (const dp of distributionPoints(cert)) {
    if (dp.cRLIssuer) {
      // A distribution point naming a CRL issuer wants an indirect CRL from it (RFC 5280 6.3.3 (b)(1)).
      const named = dp.cRLIssuer.some((gn) => gn.directoryName !== undefined && nameKey(gn.directoryName) === crl.issuerKey);
      if (!named || !idp?.indirectCRL) continue;
    }
    if (idpNames) {
      let dpNames: string[];
      if (dp.distributionPoint) dpNames = dpNameKeys(dp.distributionPoint, crl.issuerName);
      else if (dp.cRLIssuer) dpNames = dp.cRLIssuer.map(generalNameKey);
      else dpNames = [];
      if (!dpNames.some((n) => idpNames.has(n))) continue;
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
  if (an !== bn) return an > bn ? -1 : 1;
  return b.thisUpdate - a.thisUpdate;
}

/**
 * The time checks of a CRL at `time`: thisUpdate not in the future (ERR_CRL_INVALID), nextUpdate present and not
 * passed by more than the grace (ERR_CRL_STALE). Returns the CRL's horizon (nextUpdate + grace).
 */
export function checkCrlTime(crl: CrlInfo, time: number, graceMs: number): number {
  if (crl.thisUpdate > time) {
    throw new HelmlinkError('ERR_CRL_INVALID', `the CRL of ${crl.crl.issuer} was issued after the verification time (thisUpdate ${new Date(crl.thisUpdate).toISOString()})`);
  }
  if (crl.nextUpdate === undefined) {
    throw new HelmlinkError('ERR_CRL_INVALID', `the CRL of ${crl.crl.issuer} has no nextUpdate`);
  }
  const horizon = crl.nextUpdate + graceMs;
  if (horizon < time) {
    throw new HelmlinkError('ERR_CRL_STALE', `the CRL of ${crl.crl.issuer} is stale (nextUpdate ${new Date(crl.nextUpdate).toISOString()})`, {
      details: { nextUpdate: new Date(crl.nextUpdate).toISOString() },
    });
  }
  return horizon;
}
