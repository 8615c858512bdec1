/** Fixture helpers for the path validation tests: certificates the profile builder would never make. */
import '../../src/reflect';
import * as x509 from '@peculiar/x509';
import { buildName, randomSerial, signingAlgorithmFor, type IssuerMaterial } from '../../src/pki/build';
import { generateTestKeyPair, type TestKeyAlg } from '../../src/testing/pki';

export const DAY = 86_400_000;

export interface CustomCertParams {
  cn: string;
  /** Issuer; omitted = self-signed with `keys`. */
  issuer?: IssuerMaterial;
  /** Override the issuer name written into the certificate. */
  issuerName?: string;
  keys?: CryptoKeyPair;
  alg?: TestKeyAlg;
  ca?: boolean;
  pathLength?: number;
  /** Key usage flags; undefined = the default for CA (keyCertSign|cRLSign) or leaf (digitalSignature); null = none. */
  keyUsage?: number | null;
  eku?: string[];
  notBefore: Date;
  notAfter: Date;
  signingAlgorithm?: Algorithm | EcdsaParams | RsaPssParams;
  extraExtensions?: x509.Extension[];
  /** Write an AKI with this key id (hex) instead of the issuer's SKI. */
  akiKeyId?: string;
}

/** A certificate with exactly the properties a test needs, signed for real. */
export async function customCert(p: CustomCertParams): Promise<IssuerMaterial & { keys: CryptoKeyPair }> {
  const keys = p.keys ?? (await generateTestKeyPair(p.alg ?? 'ES256'));
  const signingKey = p.issuer ? p.issuer.privateKey : keys.privateKey;
  const subject = buildName({ cn: p.cn, o: 'Helmlink Test Fleet' });
  const issuerName = p.issuerName ?? (p.issuer ? p.issuer.certificate.subject : subject.toString());
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const issuerSki = p.issuer?.certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(p.ca ?? false, p.pathLength, true),
    ski,
  ];
  const aki = p.akiKeyId ?? issuerSki?.keyId ?? ski.keyId;
  extensions.push(new x509.AuthorityKeyIdentifierExtension(aki));
  const ku =
    p.keyUsage === undefined
      ? p.ca
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
        : x509.KeyUsageFlags.digitalSignature
      : p.keyUsage;
  if (ku !== null) extensions.push(new x509.KeyUsagesExtension(ku, true));
  if (p.eku) extensions.push(new x509.ExtendedKeyUsageExtension(p.eku));
  extensions.push(...(p.extraExtensions ?? []));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: issuerName,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: p.signingAlgorithm ?? signingAlgorithmFor(signingKey),
    extensions,
  });
  return { certificate, privateKey: keys.privateKey, keys };
}

/** A CRL with arbitrary extensions (for the cases buildCrl refuses to make). */
export async function customCrl(p: {
  issuer: IssuerMaterial;
  issuerName?: string;
  thisUpdate: Date;
  /** Omitted: a CRL without nextUpdate (RFC 5280 requires one; ours refuse it). */
  nextUpdate?: Date;
  extensions?: x509.Extension[];
  entries?: x509.X509CrlEntryParams[];
}): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: p.issuerName ?? p.issuer.certificate.subject,
    thisUpdate: p.thisUpdate,
    ...(p.nextUpdate ? { nextUpdate: p.nextUpdate } : {}),
    signingKey: p.issuer.privateKey,
    signingAlgorithm: signingAlgorithmFor(p.issuer.privateKey),
    extensions: p.extensions ?? [],
    entries: p.entries ?? [],
  });
}

/** A copy of the certificate with one byte of the signature flipped. */
export function tamper(cert: x509.X509Certificate): x509.X509Certificate {
  const der = new Uint8Array(cert.rawData.slice(0));
  const i = der.length - 3;
  der[i] = der[i]! ^ 0x01;
  return new x509.X509Certificate(der);
}

/** Resolves to the error code a promise rejects with (fails the test when it resolves). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? `not a coded error: ${String(err)}`;
  }
  return 'resolved';
}

/** The coded rejection of a promise: code, message and details (fails the test when it resolves). */
export async function rejection(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; details: Record<string, unknown>; cause?: unknown }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; message: string; details?: Record<string, unknown>; cause?: unknown };
    return {
      code: e.code ?? `not a coded error: ${String(err)}`,
      message: e.message,
      details: e.details ?? {},
      ...(e.cause === undefined ? {} : { cause: e.cause }),
    };
  }
  return { code: 'resolved', message: '', details: {} };
}
