/** Turning certificates into the contract's public views (never key material). */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { certificateToPem, readIdentity, type Role } from '@helmlink/protocol';
import type { CertificateView } from '@helmlink/app-preload';

/** SHA-256 of the certificate DER, lower-case hex. */
export const fingerprintOf = (cert: x509.X509Certificate): string =>
  createHash('sha256').update(new Uint8Array(cert.rawData)).digest('hex');

function keyAlgorithm(cert: x509.X509Certificate): string {
  const alg = cert.publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  if (alg.name === 'ECDSA' || alg.name === 'ECDH') return `ECDSA ${alg.namedCurve ?? ''}`.trim();
  if (alg.name.startsWith('RSA')) return `RSA ${alg.modulusLength ?? ''}`.trim();
  return alg.name;
}

/** The profile identity of a certificate, or none when it follows no Helmlink profile. */
export function profileOf(cert: x509.X509Certificate): { entityId: string | null; roles: Role[] } {
  try {
    const id = readIdentity(cert);
    return { entityId: id.entityId, roles: id.roles };
  } catch {
    return { entityId: null, roles: [] };
  }
}

/** The public view of one certificate. */
export function certificateView(cert: x509.X509Certificate): CertificateView {
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serial: cert.serialNumber.toLowerCase(),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    fingerprintSha256: fingerprintOf(cert),
    keyAlgorithm: keyAlgorithm(cert),
    signatureAlgorithm: describeSig(cert),
    isCa: bc?.ca ?? false,
    ...profileOf(cert),
    pem: certificateToPem(cert),
  };
}

function describeSig(cert: x509.X509Certificate): string {
  const a = cert.signatureAlgorithm as { name: string; hash?: { name: string } };
  return a.hash ? `${a.name} with ${a.hash.name}` : a.name;
}
