/**
 * The parsed view of a certificate that path validation works on: exact signed bytes, canonical names and the
 * decoded extensions this validator understands. Parsed once per certificate object (WeakMap), so a certificate
 * reused across validations is not parsed again.
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
  KeyUsage,
  SubjectKeyIdentifier,
  Version,
} from '@peculiar/asn1-x509';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError } from '../errors';
import { signedPart, toHex } from './der';
import { nameKey } from './names';

export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_KEY_USAGE = '2.5.29.15';
export const OID_EXT_KEY_USAGE = '2.5.29.37';
export const OID_SUBJECT_KEY_ID = '2.5.29.14';
export const OID_AUTHORITY_KEY_ID = '2.5.29.35';
export const OID_SUBJECT_ALT_NAME = '2.5.29.17';
export const OID_ISSUER_ALT_NAME = '2.5.29.18';
export const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
export const OID_FRESHEST_CRL = '2.5.29.46';
export const OID_CERTIFICATE_POLICIES = '2.5.29.32';
export const OID_AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
export const OID_SUBJECT_INFO_ACCESS = '1.3.6.1.5.5.7.1.11';
export const OID_ANY_EKU = '2.5.29.37.0';

/**
 * Certificate extensions this validator processes (or, for certificatePolicies, may safely ignore because it
 * accepts any policy and never requires an explicit one). A critical extension outside this set fails the path
 * (RFC 5280 6.1.3/6.1.4 (o)); that includes nameConstraints and the policy constraint extensions, which are
 * outside the Helmlink profile and therefore refused rather than silently skipped.
 */
export const KNOWN_CERT_EXTENSIONS: ReadonlySet<string> = new Set([
  OID_BASIC_CONSTRAINTS,
  OID_KEY_USAGE,
  OID_EXT_KEY_USAGE,
  OID_SUBJECT_KEY_ID,
  OID_AUTHORITY_KEY_ID,
  OID_SUBJECT_ALT_NAME,
  OID_ISSUER_ALT_NAME,
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
  subjectKey: string;
  issuerKey: string;
  selfIssued: boolean;
  notBefore: number;
  notAfter: number;
  ski?: string;
  akiKeyId?: string;
  basicConstraints?: { ca: boolean; pathLen?: number };
  /** Key usage flags when the extension is present. */
  keyUsage?: number;
  eku?: string[];
  crlDistributionPoints?: DistributionPoint[];
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

/** Parses (once) the validation view of a certificate. Throws ERR_CERT_MALFORMED. */
export function certInfo(cert: x509.X509Certificate): CertInfo {
  const cached = parsed.get(cert);
  if (cached) return cached;
  const raw = new Uint8Array(cert.rawData);
  let info: CertInfo;
  try {
    const asn = parsedAsn(cert) ?? AsnConvert.parse(raw, Certificate);
    const tbs = asn.tbsCertificate;
    info = {
      cert,
      asn,
      raw,
      tbs: signedPart(raw),
      version: tbs.version === Version.v3 ? 3 : tbs.version === Version.v2 ? 2 : 1,
      serial: toHex(tbs.serialNumber),
      subjectKey: nameKey(tbs.subject),
      issuerKey: nameKey(tbs.issuer),
      selfIssued: false,
      notBefore: tbs.validity.notBefore.getTime().getTime(),
      notAfter: tbs.validity.notAfter.getTime().getTime(),
      unknownCritical: [],
    };
    info.selfIssued = info.subjectKey === info.issuerKey;
    const seen = new Set<string>();
    for (const ext of tbs.extensions ?? []) {
      if (seen.has(ext.extnID)) throw new Error(`duplicate extension ${ext.extnID}`);
      seen.add(ext.extnID);
      switch (ext.extnID) {
        case OID_BASIC_CONSTRAINTS: {
          const bc = decode(ext, BasicConstraints);
          info.basicConstraints = bc.pathLenConstraint === undefined ? { ca: bc.cA } : { ca: bc.cA, pathLen: bc.pathLenConstraint };
          break;
        }
        case OID_KEY_USAGE:
          info.keyUsage = decode(ext, KeyUsage).toNumber();
          break;
        case OID_EXT_KEY_USAGE:
          info.eku = [...decode(ext, ExtendedKeyUsage)];
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
          break;
        default:
          if (ext.critical && !KNOWN_CERT_EXTENSIONS.has(ext.extnID)) info.unknownCritical.push(ext.extnID);
      }
    }
  } catch (cause) {
    if (cause instanceof HelmlinkError) throw cause;
    throw new HelmlinkError('ERR_CERT_MALFORMED', `certificate ${cert.subject} cannot be parsed: ${(cause as Error).message}`, { cause });
  }
  parsed.set(cert, info);
  return info;
}

/** True when the certificate asserts cA in basicConstraints. */
export function isCa(info: CertInfo): boolean {
  return info.basicConstraints?.ca === true;
}

/** SHA-256 of the certificate DER, lowercase hex (cached). */
export async function fingerprint(info: CertInfo): Promise<string> {
  if (info.fingerprint === undefined) {
    info.fingerprint = toHex(await globalThis.crypto.subtle.digest('SHA-256', info.raw as Uint8Array<ArrayBuffer>));
  }
  return info.fingerprint;
}
