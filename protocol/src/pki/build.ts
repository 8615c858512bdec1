/**
 * Building certificates and CRLs for the Helmlink profile. The CA server issues through these functions and test
 * fixtures are generated with them, so the profile has exactly one source.
 */
import '../reflect';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CRLNumber, id_ce_cRLNumber } from '@peculiar/asn1-x509';
import { ROLE_EKU, identityUris, type EntityIdentity } from './profile';
import { LARGE_CRL_PARSE_OPTIONS, spliceCrlEntries } from './crl-writer';
import type { RevocationReasonCode } from '../vocabulary/revocation';

/** A CA's certificate and private key. */
export interface IssuerMaterial {
  certificate: x509.X509Certificate;
  privateKey: CryptoKey;
}

/** Distinguished name attributes used by Helmlink (kept small on purpose). */
export interface NameParts {
  cn: string;
  o?: string;
  ou?: string;
  c?: string;
}

/** Builds an x509 Name from parts (JSON form, so no DN string escaping is involved). */
export function buildName(parts: NameParts): x509.Name {
  const json: x509.JsonName = [];
  if (parts.c) json.push({ C: [parts.c] });
  if (parts.o) json.push({ O: [parts.o] });
  if (parts.ou) json.push({ OU: [parts.ou] });
  json.push({ CN: [parts.cn] });
  return new x509.Name(json);
}

/** A random positive serial number of `bytes` bytes (default 16 = 127 random bits), hex. */
export function randomSerial(bytes = 16): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(bytes));
  // Positive INTEGER without a leading zero byte: clear the sign bit, keep the first byte non-zero.
  b[0] = (b[0]! & 0x7f) | 0x40;
  return Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
}

/** The signature algorithm a CA key signs with (SHA-2 only; RSA uses the hash bound to the key). */
export function signingAlgorithmFor(key: CryptoKey): Algorithm | EcdsaParams {
  const alg = key.algorithm as { name: string; namedCurve?: string; hash?: { name: string } };
  switch (alg.name) {
    case 'ECDSA':
      return { name: 'ECDSA', hash: alg.namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256' } as EcdsaParams;
    case 'Ed25519':
      return { name: 'Ed25519' };
    case 'RSASSA-PKCS1-v1_5':
      return { name: 'RSASSA-PKCS1-v1_5', hash: alg.hash?.name ?? 'SHA-256' } as Algorithm;
    case 'RSA-PSS':
      return { name: 'RSA-PSS', hash: alg.hash?.name ?? 'SHA-256', saltLength: 32 } as Algorithm;
    default:
      throw new TypeError(`unsupported signing key algorithm: ${alg.name}`);
  }
}

async function keyIdentifierExtensions(
  subjectKey: CryptoKey,
  issuer: x509.X509Certificate | undefined,
): Promise<x509.Extension[]> {
  const ski = await x509.SubjectKeyIdentifierExtension.create(subjectKey, false);
  const issuerSki = issuer?.getExtension(x509.SubjectKeyIdentifierExtension);
  const aki = issuerSki
    ? new x509.AuthorityKeyIdentifierExtension(issuerSki.keyId, false)
    : new x509.AuthorityKeyIdentifierExtension(ski.keyId, false);
  return [ski, aki];
}

export interface ValidityParams {
  notBefore: Date;
  notAfter: Date;
  /** Hex serial; random when omitted. */
  serial?: string;
}

export interface RootCaParams extends ValidityParams {
  name: NameParts;
  keys: CryptoKeyPair;
  /** pathLenConstraint of the root; undefined = unlimited. */
  pathLength?: number;
}

/** Creates a self-signed root CA certificate. */
export async function createRootCertificate(p: RootCaParams): Promise<x509.X509Certificate> {
  const name = buildName(p.name);
  return x509.X509CertificateGenerator.create({
    serialNumber: p.serial ?? randomSerial(),
    subject: name,
    issuer: name,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: p.keys.publicKey,
    signingKey: p.keys.privateKey,
    signingAlgorithm: signingAlgorithmFor(p.keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, p.pathLength, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ...(await keyIdentifierExtensions(p.keys.publicKey, undefined)),
    ],
  });
}

export interface SubordinateCaParams extends ValidityParams {
  name: NameParts;
  publicKey: CryptoKey;
  issuer: IssuerMaterial;
  /** Default 0: the issuing CA signs end entities only. */
  pathLength?: number;
}

/** Creates a CA certificate signed by `issuer` (the issuing CA under the offline root). */
export async function createSubordinateCaCertificate(p: SubordinateCaParams): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: p.serial ?? randomSerial(),
    subject: buildName(p.name),
    issuer: p.issuer.certificate.subjectName,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: p.publicKey,
    signingKey: p.issuer.privateKey,
    signingAlgorithm: signingAlgorithmFor(p.issuer.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, p.pathLength ?? 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ...(await keyIdentifierExtensions(p.publicKey, p.issuer.certificate)),
    ],
  });
}

export interface EndEntityParams extends ValidityParams {
  identity: EntityIdentity;
  publicKey: CryptoKey;
  issuer: IssuerMaterial;
  /** Subject O (organisation). */
  organization?: string;
  /** DNS names (broker and CA service certificates). */
  dnsNames?: readonly string[];
  /** IP addresses (broker and CA service certificates). */
  ipAddresses?: readonly string[];
}

/**
 * Issues an end-entity certificate for the profile: CN = entity id, SAN URIs for roles and maritime attributes,
 * critical keyUsage digitalSignature, basicConstraints CA:FALSE, EKU from the roles.
 */
export async function issueEndEntityCertificate(p: EndEntityParams): Promise<x509.X509Certificate> {
  if (p.identity.roles.length === 0) throw new TypeError('an end entity needs at least one role');
  const eku = [...new Set(p.identity.roles.flatMap((r) => ROLE_EKU[r]))];
  const names: x509.JsonGeneralNames = [
    ...identityUris(p.identity).map((value) => ({ type: 'url' as const, value })),
    ...(p.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(p.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  return x509.X509CertificateGenerator.create({
    serialNumber: p.serial ?? randomSerial(),
    subject: buildName({ cn: p.identity.entityId, ...(p.organization ? { o: p.organization } : {}) }),
    issuer: p.issuer.certificate.subjectName,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: p.publicKey,
    signingKey: p.issuer.privateKey,
    signingAlgorithm: signingAlgorithmFor(p.issuer.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(eku, false),
      new x509.SubjectAlternativeNameExtension(names, false),
      ...(await keyIdentifierExtensions(p.publicKey, p.issuer.certificate)),
    ],
  });
}

export interface CrlEntry {
  /** Hex serial of the revoked certificate. */
  serial: string;
  revokedAt: Date;
  /** RFC 5280 reason code; omitted = no reasonCode extension (unspecified). */
  reason?: RevocationReasonCode;
  invalidityDate?: Date;
}

export interface CrlParams {
  issuer: IssuerMaterial;
  /** Monotonic CRL number (RFC 5280 5.2.3). */
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: readonly CrlEntry[];
  /**
   * Further non-critical CRL extensions as DER `Extension` elements (e.g. the CA's signed audit checkpoint), spliced
   * in as given: @peculiar/x509 would re-encode their OIDs and cannot carry an arc above 2^53 (UUID OIDs, 2.25.x).
   */
  extensions?: readonly Uint8Array[];
}

/** Builds a v2 CRL with CRL number, authority key identifier and a reason code per entry. */
export async function buildCrl(p: CrlParams): Promise<x509.X509Crl> {
  const der = await buildCrlDer(p);
  return new x509.X509Crl(der.slice().buffer as ArrayBuffer, LARGE_CRL_PARSE_OPTIONS);
}

/**
 * The same CRL as {@link buildCrl}, as DER bytes, without parsing it back (parsing a CRL of 100,000 entries with
 * @peculiar/x509 takes seconds; a CA that only writes and serves its CRL does not need the parsed form).
 */
export async function buildCrlDer(p: CrlParams): Promise<Uint8Array> {
  if (!Number.isSafeInteger(p.crlNumber) || p.crlNumber < 0)
    throw new TypeError('crlNumber must be a non-negative integer');
  const issuerSki = p.issuer.certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions: x509.Extension[] = [
    new x509.Extension(id_ce_cRLNumber, false, AsnConvert.serialize(new CRLNumber(p.crlNumber))),
  ];
  if (issuerSki) extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerSki.keyId, false));
  const signingAlgorithm = signingAlgorithmFor(p.issuer.privateKey);
  const template = await x509.X509CrlGenerator.create({
    issuer: p.issuer.certificate.subjectName,
    thisUpdate: p.thisUpdate,
    nextUpdate: p.nextUpdate,
    signingKey: p.issuer.privateKey,
    signingAlgorithm,
    extensions,
    entries: [],
  });
  // The generator is quadratic in the number of entries: they are spliced in by a direct DER writer.
  if (p.entries.length === 0 && !p.extensions?.length) return new Uint8Array(template.rawData);
  return spliceCrlEntries(template, p.entries, p.issuer.privateKey, signingAlgorithm, p.extensions);
}

/** Reads the CRL number of a CRL, or undefined when it has none. */
export function crlNumberOf(crl: x509.X509Crl): number | undefined {
  const ext = crl.extensions.find((e) => e.type === id_ce_cRLNumber);
  if (!ext) return undefined;
  return AsnConvert.parse(ext.value, CRLNumber).value;
}
