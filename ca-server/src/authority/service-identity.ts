/**
 * The CA's own service identity (role `ca`: the HTTPS server certificate and the CRL publisher's MQTT client
 * certificate): issued at init, and issued afresh (new key) when it must be replaced — a forced revocation with the
 * replacement plan `issue`, or a service certificate found revoked. The new key and certificate are written before
 * the store supersedes the old one, so a crash leaves a usable identity on disk.
 */
import { writeFile } from 'node:fs/promises';
import {
  certificateToPem,
  DEFAULT_KEY_SPEC,
  encryptPrivateKey,
  generateKeyPair,
  parseCertificates,
  type Clock,
  type IssuerMaterial,
} from '@helmlink/protocol';
import { writeFileAtomic } from '@helmlink/protocol/node';
import type { CaStore, CertRecord } from '../store/types';
import type { CaConfig, CaPaths } from './files';
import { issueRecord } from './issue';

/** Lifetime of a service certificate, in days. */
export const SERVICE_DAYS = 365;

const isIp = (h: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/u.test(h) || h.includes(':');

/**
 * Issues a service certificate for the configured host names with a new key, and writes `server.key.pem`
 * (encrypted with `passphrase`) and `server.crt.pem` (leaf + issuing CA). Returns the record to store.
 */
export async function writeServiceIdentity(p: {
  config: CaConfig;
  paths: CaPaths;
  issuing: IssuerMaterial;
  passphrase: string;
  now: Date;
}): Promise<CertRecord> {
  const keys = await generateKeyPair(DEFAULT_KEY_SPEC);
  const hosts = p.config.serverHosts;
  const service = await issueRecord({
    identity: { entityId: p.config.serviceId, roles: ['ca'] },
    publicKey: keys.publicKey,
    issuer: p.issuing,
    now: p.now,
    validityDays: SERVICE_DAYS,
    organization: p.config.organization,
    dnsNames: hosts.filter((h) => !isIp(h)),
    ipAddresses: hosts.filter(isIp),
  });
  writeFileAtomic(p.paths.serverKey, await encryptPrivateKey(keys.privateKey, p.passphrase));
  await writeFile(p.paths.serverCert, `${service.pem}${certificateToPem(p.issuing.certificate)}`, {
    mode: 0o644,
  });
  return service.record;
}

/** The serial (lowercase hex) of the service certificate in `server.crt.pem` text. */
export function serviceSerialOf(certPem: string): string {
  return parseCertificates(certPem)[0]!.serialNumber.toLowerCase();
}

/** What a rotation needs from the authority. */
export interface RotationContext {
  config: CaConfig;
  paths: CaPaths;
  issuing: IssuerMaterial;
  store: CaStore;
  clock: Clock;
}

/**
 * Replaces the CA service identity: a new key and certificate on disk first, then the store records it (superseding
 * the old certificate) with its audit entry. Returns the new record; the caller loads it and re-issues the CRL.
 */
export async function rotateServiceIdentity(
  ctx: RotationContext,
  passphrase: string,
  actor: { id: string },
  why: string,
): Promise<CertRecord> {
  const now = new Date(ctx.clock());
  const record = await writeServiceIdentity({ ...ctx, passphrase, now });
  ctx.store.transaction(() => {
    ctx.store.insertCertificate(record);
    ctx.store.appendAudit({
      ts: now.getTime(),
      actor: actor.id,
      action: 'certificate.issue',
      details: {
        serial: record.serial,
        entityId: record.entityId,
        roles: record.roles,
        fingerprint: record.fingerprint,
        via: 'service-rotation',
        why,
      },
    });
  });
  return record;
}
