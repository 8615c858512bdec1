/** Shared issuance helpers: validity, records, PEM output. */
import { createHash } from 'node:crypto';
import {
  issueEndEntityCertificateDer,
  randomSerial,
  subjectNameText,
  type EntityIdentity,
  type IssuerMaterial,
} from '@helmlink/protocol';
import { nodeCertWriterCrypto } from '@helmlink/protocol/node';
import type { CertificateWire } from '@helmlink/ca-client/wire';
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
export async function issueRecord(
  req: IssueRequest,
): Promise<{ der: Uint8Array; pem: string; record: CertRecord }> {
  const notBefore = new Date(req.now.getTime() - BACKDATE_MS);
  let notAfter = new Date(req.now.getTime() + req.validityDays * DAY_MS);
  // A certificate never outlives its issuer.
  if (notAfter > req.issuer.certificate.notAfter) notAfter = req.issuer.certificate.notAfter;
  const serial = randomSerial(16);
  // UTCTime/GeneralizedTime keep whole seconds: the record holds what the certificate says.
  notAfter = new Date(Math.floor(notAfter.getTime() / 1000) * 1000);
  const notBeforeSeconds = new Date(Math.floor(notBefore.getTime() / 1000) * 1000);
  const der = await issueEndEntityCertificateDer({
    identity: req.identity,
    publicKey: req.publicKey,
    issuer: req.issuer,
    notBefore,
    notAfter,
    serial,
    // node:crypto, synchronous: WebCrypto's thread-pool round trips were the largest cost of an enrollment.
    crypto: nodeCertWriterCrypto,
    ...(req.organization ? { organization: req.organization } : {}),
    ...(req.dnsNames ? { dnsNames: req.dnsNames } : {}),
    ...(req.ipAddresses ? { ipAddresses: req.ipAddresses } : {}),
  });
  const spki =
    req.publicKey instanceof Uint8Array
      ? req.publicKey
      : new Uint8Array(await crypto.subtle.exportKey('spki', req.publicKey));
  const record: CertRecord = {
    serial,
    entityId: req.identity.entityId,
    roles: [...req.identity.roles],
    subject: subjectNameText({
      cn: req.identity.entityId,
      ...(req.organization ? { o: req.organization } : {}),
    }),
    notBefore: notBeforeSeconds.getTime(),
    notAfter: notAfter.getTime(),
    status: 'valid',
    revokedAt: null,
    reason: null,
    description: null,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    der,
    issuedAt: req.now.getTime(),
    renewedFrom: req.renewedFrom ?? null,
    spkiSha256: spkiSha256(spki),
    imo: req.identity.imo ?? null,
    mmsi: req.identity.mmsi ?? null,
  };
  return { der, pem: derToPem(der), record };
}

/** SHA-256 of a SubjectPublicKeyInfo (hex): how the store recognises one key across certificates. */
export function spkiSha256(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('hex');
}

/** PEM CERTIFICATE of DER bytes (Buffer base64). */
export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** PEM of a stored certificate. */
export function recordPem(record: Pick<CertRecord, 'der'>): string {
  return derToPem(record.der);
}

/** The JSON view of a certificate record (no DER): for listings, exports and the admin API. */
export function recordView(r: CertRecord): CertificateWire {
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
