/**
 * The parsed view of a certificate that path validation works on: exact signed bytes, canonical names, strict
 * validity times and the decoded extensions this validator understands. Parsed once per certificate object
 * (WeakMap), so a certificate reused across validations is not parsed again.
 *
 * Malformed input is ERR_CERT_MALFORMED: an undecodable known extension (subjectAltName and nameConstraints
 * included), a duplicate extension (4.2), extensions in a v1/v2 certificate (4.1.2.9), an empty extended key
 * usage (4.2.1.12: SIZE (1..MAX)), a distribution point with neither name nor CRL issuer (4.2.1.13), a time
 * that is not whole seconds in Z (4.1.2.5). Profile rules on well-formed values are checked per path position
 * (profile-rules.ts).
 */
import '../reflect';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CRLDistributionPoints,
  type DistributionPoint,
  ExtendedKeyUsage,
  type Extension,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError } from '../errors';
import {
  bytesOf,
  contentOf,
  expectTlv,
  readNamedBits,
  readTime,
  readTlvInto,
  signedPart,
  type Tlv,
  toHex,
} from './der';
import { decodeGeneralNames, type GeneralNameValue } from './general-names';
import { decodeNameConstraints, type NameConstraintsInfo } from './name-constraints';
import { nameKey, rdnKeys } from './names';

export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_KEY_USAGE = '2.5.29.15';
export const OID_EXT_KEY_USAGE = '2.5.29.37';
export const OID_SUBJECT_KEY_ID = '2.5.29.14';
export const OID_AUTHORITY_KEY_ID = '2.5.29.35';
export const OID_SUBJECT_ALT_NAME = '2.5.29.17';
export const OID_ISSUER_ALT_NAME = '2.5.29.18';
export const OID_NAME_CONSTRAINTS = '2.5.29.30';
export const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
export const OID_FRESHEST_CRL = '2.5.29.46';
export const OID_CERTIFICATE_POLICIES = '2.5.29.32';
export const OID_POLICY_CONSTRAINTS = '2.5.29.36';
export const OID_INHIBIT_ANY_POLICY = '2.5.29.54';
export const OID_AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
export const OID_SUBJECT_INFO_ACCESS = '1.3.6.1.5.5.7.1.11';
export const OID_ANY_EKU = '2.5.29.37.0';

/**
 * Certificate extensions this validator processes (or, for certificatePolicies, may safely ignore because it
 * accepts any policy and never requires an explicit one). A critical extension outside this set fails the path
 * (RFC 5280 6.1.3/6.1.4 (o)); that includes the policy constraint extensions, which are outside the Helmlink
 * profile and therefore refused rather than silently skipped.
 */
export const KNOWN_CERT_EXTENSIONS: ReadonlySet<string> = new Set([
  OID_BASIC_CONSTRAINTS,
  OID_KEY_USAGE,
  OID_EXT_KEY_USAGE,
  OID_SUBJECT_KEY_ID,
  OID_AUTHORITY_KEY_ID,
  OID_SUBJECT_ALT_NAME,
  OID_ISSUER_ALT_NAME,
  OID_NAME_CONSTRAINTS,
  OID_CRL_DISTRIBUTION_POINTS,
  OID_FRESHEST_CRL,
  OID_CERTIFICATE_POLICIES,
  OID_AUTHORITY_INFO_ACCESS,
  OID_SUBJECT_INFO_ACCESS,
]);

/** Key usage bits (RFC 5280 4.2.1.3), as flags. */
export const KU = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const;
export type KeyUsageName = keyof typeof KU;

/** Everything path validation needs from one certificate. */
export interface CertInfo {
  cert: x509.X509Certificate;
  asn: Certificate;
  raw: Uint8Array;
  tbs: Uint8Array;
  /** 1, 2 or 3. */
  version: number;
  /** The serial number's INTEGER contents, lowercase hex (as it appears on CRLs). */
  serial: string;
  /** The DER of the inner (signed) signature AlgorithmIdentifier and of the outer one. */
  innerAlgorithm: Uint8Array;
  outerAlgorithm: Uint8Array;
  subjectKey: string;
  issuerKey: string;
  /** Canonical keys of the subject's RDNs (empty for an empty subject). */
  subjectRdns: string[];
  selfIssued: boolean;
  notBefore: number;
  notAfter: number;
  /** Hex of the SubjectPublicKeyInfo DER: certificates with the same key verify the same signatures. */
  spkiKey: string;
  ski?: string;
  akiKeyId?: string;
  basicConstraints?: { ca: boolean; pathLen?: number };
  /** Key usage flags when the extension is present. */
  keyUsage?: number;
  eku?: string[];
  crlDistributionPoints?: DistributionPoint[];
  /** subjectAltName entries when the extension is present. */
  san?: GeneralNameValue[];
  nameConstraints?: NameConstraintsInfo;
  /** Criticality of every extension present, by OID. */
  critical: ReadonlyMap<string, boolean>;
  /** OIDs of critical extensions this validator does not process. */
  unknownCritical: string[];
  /** SHA-256 of the DER, filled in lazily. */
  fingerprint?: string;
}

const parsed = new WeakMap<x509.X509Certificate, CertInfo>();

function decode<T>(ext: Extension, type: new () => T): T {
  return AsnConvert.parse(ext.extnValue.buffer, type);
}

/**
 * The ASN.1 structure @peculiar/x509 already decoded (its protected `asn`), to avoid decoding the DER twice;
 * undefined when unavailable (then the DER is parsed here).
 */
function parsedAsn(cert: x509.X509Certificate): Certificate | undefined {
  const asn = (cert as unknown as { asn?: unknown }).asn;
  return asn instanceof Certificate ? asn : undefined;
}

/** The fields of a TBSCertificate read from the DER itself (exact bytes, strict times). */
function readTbs(
  raw: Uint8Array,
): Pick<CertInfo, 'serial' | 'innerAlgorithm' | 'outerAlgorithm' | 'notBefore' | 'notAfter' | 'spkiKey'> {
  const outer = expectTlv(raw, 0, raw.length, 0x30, 'a Certificate');
  if (outer.end !== raw.length) throw new RangeError('DER: trailing data after the certificate');
  const tbs = expectTlv(raw, outer.contentStart, outer.end, 0x30, 'a TBSCertificate');
  const outerAlg = expectTlv(raw, tbs.end, outer.end, 0x30, 'a signature algorithm');
  const t: Tlv = readTlvInto(raw, tbs.contentStart, tbs.end, { tag: 0, start: 0, contentStart: 0, end: 0 });
  const serial =
    t.tag === 0xa0
      ? expectTlv(raw, t.end, tbs.end, 0x02, 'a serial number')
      : expectTlv(raw, t.start, tbs.end, 0x02, 'a serial number');
  const innerAlg = expectTlv(raw, serial.end, tbs.end, 0x30, 'a signature algorithm');
  const issuer = expectTlv(raw, innerAlg.end, tbs.end, 0x30, 'an issuer name');
  const validity = expectTlv(raw, issuer.end, tbs.end, 0x30, 'a validity');
  const nb = readTlvInto(raw, validity.contentStart, validity.end, {
    tag: 0,
    start: 0,
    contentStart: 0,
    end: 0,
  });
  const na = readTlvInto(raw, nb.end, validity.end, { tag: 0, start: 0, contentStart: 0, end: 0 });
  if (na.end !== validity.end) throw new RangeError('DER: malformed validity');
  const subject = expectTlv(raw, validity.end, tbs.end, 0x30, 'a subject name');
  const spki = expectTlv(raw, subject.end, tbs.end, 0x30, 'a subject public key info');
  return {
    serial: toHex(contentOf(raw, serial)),
    innerAlgorithm: bytesOf(raw, innerAlg),
    outerAlgorithm: bytesOf(raw, outerAlg),
    notBefore: readTime(raw, nb),
    notAfter: readTime(raw, na),
    spkiKey: toHex(bytesOf(raw, spki)),
  };
}

function readExtensions(info: CertInfo, extensions: readonly Extension[]): void {
  const critical = new Map<string, boolean>();
  for (const ext of extensions) {
    if (critical.has(ext.extnID)) throw new Error(`duplicate extension ${ext.extnID}`);
    critical.set(ext.extnID, ext.critical);
    switch (ext.extnID) {
      case OID_BASIC_CONSTRAINTS: {
        const bc = decode(ext, BasicConstraints);
        info.basicConstraints =
          bc.pathLenConstraint === undefined ? { ca: bc.cA } : { ca: bc.cA, pathLen: bc.pathLenConstraint };
        break;
      }
      case OID_KEY_USAGE: {
        const value = new Uint8Array(ext.extnValue.buffer);
        const el = readTlvInto(value, 0, value.length, { tag: 0, start: 0, contentStart: 0, end: 0 });
        if (el.end !== value.length) throw new Error('trailing data after the key usage');
        info.keyUsage = readNamedBits(value, el);
        break;
      }
      case OID_EXT_KEY_USAGE:
        info.eku = [...decode(ext, ExtendedKeyUsage)];
        if (info.eku.length === 0)
          throw new Error('an empty extended key usage (RFC 5280 4.2.1.12: SIZE (1..MAX))');
        break;
      case OID_SUBJECT_KEY_ID:
        info.ski = toHex(decode(ext, SubjectKeyIdentifier).buffer);
        break;
      case OID_AUTHORITY_KEY_ID: {
        const aki = decode(ext, AuthorityKeyIdentifier);
        if (aki.keyIdentifier) info.akiKeyId = toHex(aki.keyIdentifier.buffer);
        break;
      }
      case OID_CRL_DISTRIBUTION_POINTS:
        info.crlDistributionPoints = [...decode(ext, CRLDistributionPoints)];
        if (info.crlDistributionPoints.some((dp) => !dp.distributionPoint && !dp.cRLIssuer)) {
          throw new Error(
            'a CRL distribution point with neither a name nor a CRL issuer (RFC 5280 4.2.1.13)',
          );
        }
        break;
      case OID_SUBJECT_ALT_NAME:
        info.san = decodeGeneralNames(new Uint8Array(ext.extnValue.buffer));
        break;
      case OID_NAME_CONSTRAINTS:
        info.nameConstraints = decodeNameConstraints(new Uint8Array(ext.extnValue.buffer));
        break;
      default:
        if (ext.critical && !KNOWN_CERT_EXTENSIONS.has(ext.extnID)) info.unknownCritical.push(ext.extnID);
    }
  }
  info.critical = critical;
}

/** Parses (once) the validation view of a certificate. Throws ERR_CERT_MALFORMED. */
export function certInfo(cert: x509.X509Certificate): CertInfo {
  const cached = parsed.get(cert);
  if (cached) return cached;
  const raw = new Uint8Array(cert.rawData);
  let info: CertInfo;
  try {
    const asn = parsedAsn(cert) ?? AsnConvert.parse(raw, Certificate);
    const tbs = asn.tbsCertificate;
    const subjectRdns = rdnKeys(tbs.subject);
    info = {
      cert,
      asn,
      raw,
      tbs: signedPart(raw),
      ...readTbs(raw),
      // Version ::= INTEGER { v1(0), v2(1), v3(2) }
      version: tbs.version + 1,
      subjectKey: subjectRdns.join(','),
      issuerKey: nameKey(tbs.issuer),
      subjectRdns,
      selfIssued: false,
      critical: new Map(),
      unknownCritical: [],
    };
    if (info.version < 1 || info.version > 3) throw new Error(`unknown certificate version ${info.version}`);
    if (tbs.extensions && info.version !== 3)
      throw new Error('extensions in a certificate that is not v3 (RFC 5280 4.1.2.9)');
    info.selfIssued = info.subjectKey === info.issuerKey;
    readExtensions(info, tbs.extensions ?? []);
  } catch (cause) {
    if (cause instanceof HelmlinkError) throw cause;
    throw new HelmlinkError(
      'ERR_CERT_MALFORMED',
      `certificate ${safeSubject(cert)} cannot be parsed: ${(cause as Error).message}`,
      { cause },
    );
  }
  parsed.set(cert, info);
  return info;
}

function safeSubject(cert: x509.X509Certificate): string {
  try {
    return cert.subject;
  } catch {
    return '(unreadable subject)';
  }
}

/** 0 = AKI matches SKI, 1 = no information, 2 = AKI contradicts SKI. */
export function keyIdRank(cert: CertInfo, issuer: CertInfo): number {
  if (cert.akiKeyId === undefined || issuer.ski === undefined) return 1;
  return cert.akiKeyId === issuer.ski ? 0 : 2;
}

/** True when the certificate asserts cA in basicConstraints. */
export function isCa(info: CertInfo): boolean {
  return info.basicConstraints?.ca === true;
}

/** SHA-256 of the certificate DER, lowercase hex (cached). */
export async function fingerprint(info: CertInfo): Promise<string> {
  if (info.fingerprint === undefined) {
    info.fingerprint = toHex(
      await globalThis.crypto.subtle.digest('SHA-256', info.raw as Uint8Array<ArrayBuffer>),
    );
  }
  return info.fingerprint;
}
