/**
 * The broker's server certificate for the demo topology, issued by the running authority with the host names and
 * addresses clients dial (serverAuth, role `broker`), committed to the CA store with its audit entry like every
 * other certificate, so it is listed, revocable and on the CRL like any other.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_KEY_SPEC,
  certificatesToPem,
  encodePem,
  exportPkcs8,
  generateKeyPair,
  issueEndEntityCertificate,
  randomSerial,
} from '@helmlink/protocol';
import type { Authority, CertRecord } from '@helmlink/ca-server';

const DAY_MS = 86_400_000;
const BACKDATE_MS = 5 * 60_000;

export interface BrokerIdentity {
  entityId: string;
  serial: string;
  /** Leaf + issuing CA, PEM. */
  chainPem: string;
  /** Unencrypted PKCS#8 PEM: the broker reads it at start (keep the file 0600). */
  keyPem: string;
}

/** Issues the broker certificate for `hosts` (DNS names and IP addresses). */
export async function issueBrokerIdentity(authority: Authority, hosts: readonly string[], entityId = 'broker', validityDays = 365): Promise<BrokerIdentity> {
  const isIp = (h: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/u.test(h) || h.includes(':');
  const keys = await generateKeyPair(DEFAULT_KEY_SPEC);
  const now = authority.clock();
  let notAfter = new Date(now.getTime() + validityDays * DAY_MS);
  if (notAfter > authority.issuing.certificate.notAfter) notAfter = authority.issuing.certificate.notAfter;
  const certificate = await issueEndEntityCertificate({
    identity: { entityId, roles: ['broker'] },
    publicKey: keys.publicKey,
    issuer: authority.issuing,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter,
    serial: randomSerial(16),
    organization: authority.config.organization,
    dnsNames: hosts.filter((h) => !isIp(h)),
    ipAddresses: hosts.filter(isIp),
  });
  const der = new Uint8Array(certificate.rawData);
  const record: CertRecord = {
    serial: certificate.serialNumber.toLowerCase(),
    entityId,
    roles: ['broker'],
    subject: certificate.subject,
    notBefore: certificate.notBefore.getTime(),
    notAfter: certificate.notAfter.getTime(),
    status: 'valid',
    revokedAt: null,
    reason: null,
    description: null,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    der,
    issuedAt: now.getTime(),
    renewedFrom: null,
  };
  authority.store.transaction(() => {
    authority.store.insertCertificate(record);
    authority.store.appendAudit({ ts: now.getTime(), actor: 'demo', action: 'certificate.issue', details: { serial: record.serial, entityId, roles: ['broker'], hosts, via: 'demo-broker' } });
  });
  return {
    entityId,
    serial: record.serial,
    chainPem: certificatesToPem([certificate, authority.issuing.certificate]),
    keyPem: encodePem('PRIVATE KEY', await exportPkcs8(keys.privateKey)),
  };
}
