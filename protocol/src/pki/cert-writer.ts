/**
 * A fast path for issuing profile end-entity certificates, for the CA's enrollment throughput. It produces the
 * same DER as {@link issueEndEntityCertificate} in build.ts (the same extensions, built with the same
 * @peculiar/x509 extension classes, in the same order; a test compares both byte for byte with deterministic
 * Ed25519 signatures), but assembles the TBSCertificate directly instead of the generator's parse/serialize round
 * trips (~4 ms → well under 1 ms per certificate).
 */
import '../reflect';
import * as x509 from '@peculiar/x509';
import { buildName, randomSerial, signingAlgorithmFor, type EndEntityParams } from './build';
import { readChildren, readTlv } from './der';
import { concat, encodeSerial, encodeTime, tlv, toX509Signature } from './der-writer';
import { ROLE_EKU, identityUris } from './profile';
import { subjectNameDer } from './subject-name';

interface IssuerTemplate {
  /** DER of the signature AlgorithmIdentifier the issuer key signs with. */
  signatureAlgorithm: Uint8Array;
  /** DER of the issuer's subject Name. */
  issuerName: Uint8Array;
  /** DER of the AuthorityKeyIdentifier extension for certificates it issues. */
  aki: Uint8Array;
}

const templates = new WeakMap<CryptoKey, WeakMap<x509.X509Certificate, IssuerTemplate>>();
const BASIC_CONSTRAINTS = new Uint8Array(new x509.BasicConstraintsExtension(false, undefined, true).rawData);
const KEY_USAGE = new Uint8Array(
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true).rawData,
);
const VERSION_3 = new Uint8Array([0xa0, 0x03, 0x02, 0x01, 0x02]);

async function issuerTemplate(issuer: EndEntityParams['issuer']): Promise<IssuerTemplate> {
  let byCert = templates.get(issuer.privateKey);
  if (!byCert) {
    byCert = new WeakMap();
    templates.set(issuer.privateKey, byCert);
  }
  let t = byCert.get(issuer.certificate);
  if (t) return t;
  // One throwaway certificate from the generator gives the exact AlgorithmIdentifier encoding for this key.
  const probe = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: buildName({ cn: 'probe' }),
    issuer: issuer.certificate.subjectName,
    notBefore: new Date(0),
    notAfter: new Date(0),
    publicKey: await issuerPublicKey(issuer.certificate),
    signingKey: issuer.privateKey,
    signingAlgorithm: signingAlgorithmFor(issuer.privateKey),
  });
  const probeDer = new Uint8Array(probe.rawData);
  const probeTbs = readChildren(probeDer, readTlv(probeDer, 0))[0]!;
  const sigAlg = readChildren(probeDer, probeTbs)[2]!;
  const issuerDer = new Uint8Array(issuer.certificate.rawData);
  const issuerTbs = readChildren(issuerDer, readTlv(issuerDer, 0))[0]!;
  const subject = readChildren(issuerDer, issuerTbs)[5]!;
  const issuerSki = issuer.certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  t = {
    signatureAlgorithm: probeDer.slice(sigAlg.start, sigAlg.end),
    issuerName: issuerDer.slice(subject.start, subject.end),
    aki: new Uint8Array(
      issuerSki
        ? new x509.AuthorityKeyIdentifierExtension(issuerSki.keyId, false).rawData
        : new ArrayBuffer(0),
    ),
  };
  byCert.set(issuer.certificate, t);
  return t;
}

async function issuerPublicKey(cert: x509.X509Certificate): Promise<CryptoKey> {
  return cert.publicKey.export();
}

// The extensions that differ per certificate are written here directly: building them with the @peculiar/x509
// classes (asn1js objects, then serialized) was most of the writer's time. The same bytes: a test compares the
// whole certificate with the generator's (build.ts).
const OID_SAN = new Uint8Array([0x06, 0x03, 0x55, 0x1d, 0x11]);
const OID_SKI = new Uint8Array([0x06, 0x03, 0x55, 0x1d, 0x0e]);
const ekuExtensions = new Map<string, Uint8Array>();

/** A non-critical extension: SEQUENCE { extnID, extnValue OCTET STRING }. */
const extension = (oid: Uint8Array, value: Uint8Array): Uint8Array =>
  tlv(0x30, concat([oid, tlv(0x04, value)]));

/** ExtendedKeyUsage for a set of purposes: one of a few role combinations, so each is built once. */
function ekuExtension(eku: readonly string[]): Uint8Array {
  const key = eku.join(',');
  let der = ekuExtensions.get(key);
  if (!der) {
    der = new Uint8Array(new x509.ExtendedKeyUsageExtension([...eku], false).rawData);
    ekuExtensions.set(key, der);
  }
  return der;
}

/** SubjectAltName: URIs (every enrollment) as [6] IA5String directly; DNS names and addresses through the class. */
function sanExtension(names: x509.JsonGeneralNames): Uint8Array {
  // eslint-disable-next-line no-control-regex -- IA5String is 7-bit ASCII
  if (!names.every((n) => n.type === 'url' && /^[\x00-\x7f]*$/u.test(n.value)))
    return new Uint8Array(new x509.SubjectAlternativeNameExtension(names, false).rawData);
  const uris = names.map((n) =>
    tlv(
      0x86,
      Uint8Array.from(n.value, (c) => c.charCodeAt(0)),
    ),
  );
  return extension(OID_SAN, tlv(0x30, concat(uris)));
}

/**
 * Issues a profile end-entity certificate (same parameters and output as issueEndEntityCertificate).
 * `publicKey` may be a CryptoKey or the SubjectPublicKeyInfo DER.
 */
export async function issueEndEntityCertificateFast(p: FastEndEntityParams): Promise<x509.X509Certificate> {
  const der = await issueEndEntityCertificateDer(p);
  return new x509.X509Certificate(der.buffer as ArrayBuffer);
}

/**
 * The primitives the writer needs, when a caller has faster ones than WebCrypto (the CA passes node:crypto's
 * synchronous ones, `nodeCertWriterCrypto` in `@helmlink/protocol/node`: no thread-pool round trip per
 * certificate). Same results: `sign` returns what `crypto.subtle.sign` returns (ECDSA as r‖s).
 */
export interface CertWriterCrypto {
  sign(algorithm: Algorithm, key: CryptoKey, data: Uint8Array): Uint8Array | Promise<Uint8Array>;
  sha1(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

const webCrypto: CertWriterCrypto = {
  sign: async (algorithm, key, data) =>
    new Uint8Array(await globalThis.crypto.subtle.sign(algorithm, key, data as Uint8Array<ArrayBuffer>)),
  sha1: async (data) =>
    new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', data as Uint8Array<ArrayBuffer>)),
};

export type FastEndEntityParams = Omit<EndEntityParams, 'publicKey'> & {
  publicKey: CryptoKey | Uint8Array;
  /** Default: WebCrypto. */
  crypto?: CertWriterCrypto;
};

/** The same certificate as {@link issueEndEntityCertificateFast}, as DER, without parsing it back. */
export async function issueEndEntityCertificateDer(p: FastEndEntityParams): Promise<Uint8Array> {
  if (p.identity.roles.length === 0) throw new TypeError('an end entity needs at least one role');
  const template = await issuerTemplate(p.issuer);
  const spki =
    p.publicKey instanceof Uint8Array
      ? p.publicKey
      : new Uint8Array(await globalThis.crypto.subtle.exportKey('spki', p.publicKey));
  const spkiTlv = readTlv(spki, 0);
  const bits = readChildren(spki, spkiTlv)[1]!;
  const primitives = p.crypto ?? webCrypto;
  const keyId = await primitives.sha1(spki.slice(bits.contentStart + 1, bits.end));
  const eku = [...new Set(p.identity.roles.flatMap((r) => ROLE_EKU[r]))];
  const names: x509.JsonGeneralNames = [
    ...identityUris(p.identity).map((value) => ({ type: 'url' as const, value })),
    ...(p.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(p.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions = concat([
    BASIC_CONSTRAINTS,
    KEY_USAGE,
    ekuExtension(eku),
    sanExtension(names),
    extension(OID_SKI, tlv(0x04, keyId)),
    template.aki,
  ]);
  const subject = subjectNameDer({
    cn: p.identity.entityId,
    ...(p.organization ? { o: p.organization } : {}),
  });
  const tbs = tlv(
    0x30,
    concat([
      VERSION_3,
      encodeSerial(p.serial ?? randomSerial()),
      template.signatureAlgorithm,
      template.issuerName,
      tlv(0x30, concat([encodeTime(p.notBefore), encodeTime(p.notAfter)])),
      subject,
      spki.subarray(spkiTlv.start, spkiTlv.end),
      tlv(0xa3, tlv(0x30, extensions)),
    ]),
  );
  const algorithm = signingAlgorithmFor(p.issuer.privateKey);
  const signature = await primitives.sign(algorithm, p.issuer.privateKey, tbs);
  return tlv(
    0x30,
    concat([
      tbs,
      template.signatureAlgorithm,
      tlv(0x03, concat([new Uint8Array([0]), toX509Signature(algorithm, signature)])),
    ]),
  );
}
