/** Shared issuance helpers: validity, records, PEM output. */
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { certificateToPem, issueEndEntityCertificateFast, randomSerial, type EntityIdentity, type IssuerMaterial } from '@helmlink/protocol';
import type { CertRecord } from '../store/types';

export const DAY_MS = 86_400_000;

/** Backdating of notBefore, for clients whose clock is slightly behind. */
export const BACKDATE_MS = 5 * 60_000;

export interface IssueRequest {
  identity: EntityIdentity;
  /** CryptoKey or SubjectPublicKeyInfo DER. */
  publicKey: CryptoKey | Uint8Array;
  issuer: IssuerMaterial;
  now: Date;
  validityDays: number;
  organization?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  renewedFrom?: string | null;
}

/** Issues an end-entity certificate through the protocol's profile builder (fast path, byte-identical to build.ts) and returns it with its store record. */
export async function issueRecord(req: IssueRequest): Promise<{ certificate: x509.X509Certificate; record: CertRecord }> {
  const notBefore = new Date(req.now.getTime() - BACKDATE_MS);
  let notAfter = new Date(req.now.getTime() + req.validityDays * DAY_MS);
  // A certificate never outlives its issuer.
  if (notAfter > req.issuer.certificate.notAfter) notAfter = req.issuer.certificate.notAfter;
  const serial = randomSerial(16);
  const certificate = await issueEndEntityCertificateFast({
    identity: req.identity,
    publicKey: req.publicKey,
    issuer: req.issuer,
    notBefore,
    notAfter,
    serial,
    ...(req.organization ? { organization: req.organization } : {}),
    ...(req.dnsNames ? { dnsNames: req.dnsNames } : {}),
    ...(req.ipAddresses ? { ipAddresses: req.ipAddresses } : {}),
  });
  const der = new Uint8Array(certificate.rawData);
  const record: CertRecord = {
    serial: certificate.serialNumber.toLowerCase(),
    entityId: req.identity.entityId,
    roles: [...req.identity.roles],
    subject: certificate.subject,
    notBefore: certificate.notBefore.getTime(),
    notAfter: certificate.notAfter.getTime(),
    status: 'valid',
    revokedAt: null,
    reason: null,
    description: null,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    der,
    issuedAt: req.now.getTime(),
    renewedFrom: req.renewedFrom ?? null,
  };
  return { certificate, record };
}

/** PEM of a stored certificate. */
export function recordPem(record: Pick<CertRecord, 'der'>): string {
  return certificateToPem(new x509.X509Certificate(record.der.slice().buffer as ArrayBuffer));
}

/** The JSON view of a certificate record (no DER): for listings, exports and the admin API. */
export function recordView(r: CertRecord): Record<string, unknown> {
  return {
    serial: r.serial,
    entityId: r.entityId,
    roles: r.roles,
    subject: r.subject,
    notBefore: new Date(r.notBefore).toISOString(),
    notAfter: new Date(r.notAfter).toISOString(),
    status: r.status,
    revokedAt: r.revokedAt === null ? null : new Date(r.revokedAt).toISOString(),
    reason: r.reason,
    description: r.description,
    fingerprint: r.fingerprint,
    issuedAt: new Date(r.issuedAt).toISOString(),
    renewedFrom: r.renewedFrom,
  };
}
