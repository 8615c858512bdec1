/**
 * The certificates table as the audit log tells it: every issuance, supersession, revocation and release is an
 * audit entry, so replaying the log gives each certificate's status, reason and revocation time. A table that says
 * anything else (a certificate un-revoked, a row added or removed behind the CA's back) was written around the log.
 */
import type { AuditEntry, CertRecord, CertStatus } from './types';

interface Told {
  status: CertStatus;
  reason: number | null;
  revokedAt?: number | null;
  fingerprint?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** Each certificate's state as the log says it, by serial. */
export function replayCertificates(entries: readonly AuditEntry[]): Map<string, Told> {
  const told = new Map<string, Told>();
  for (const e of entries) {
    const d = e.details;
    const serial = str(d.serial);
    switch (e.action) {
      case 'ca.init': {
        const service = str(d.serviceSerial);
        if (service && !told.has(service)) told.set(service, { status: 'valid', reason: null });
        break;
      }
      case 'certificate.issue':
      case 'certificate.renew':
        if (serial)
          told.set(serial, {
            status: 'valid',
            reason: null,
            ...(str(d.fingerprint) ? { fingerprint: str(d.fingerprint)! } : {}),
          });
        break;
      case 'certificate.supersede':
      case 'certificate.revoke': {
        if (!serial) break;
        const reason = num(d.reason) ?? null;
        const status = (str(d.status) as CertStatus | undefined) ?? (reason === 6 ? 'hold' : 'revoked');
        const before = told.get(serial);
        told.set(serial, {
          ...before,
          status,
          reason,
          ...(num(d.revokedAt) !== undefined ? { revokedAt: num(d.revokedAt)! } : {}),
        });
        break;
      }
      case 'certificate.release':
        if (serial) told.set(serial, { ...told.get(serial), status: 'valid', reason: null, revokedAt: null });
        break;
    }
  }
  return told;
}

/** The differences between the certificates table and the log (empty when the table is what the log says). */
export function compareWithLog(
  entries: readonly AuditEntry[],
  certificates: ReadonlyArray<Pick<CertRecord, 'serial' | 'status' | 'reason' | 'revokedAt' | 'fingerprint'>>,
): string[] {
  const told = replayCertificates(entries);
  const problems: string[] = [];
  for (const c of certificates) {
    const t = told.get(c.serial);
    told.delete(c.serial);
    if (!t) {
      problems.push(`certificate ${c.serial} is in the table but the audit log never issued it`);
      continue;
    }
    if (t.status !== c.status || t.reason !== c.reason)
      problems.push(
        `certificate ${c.serial} is ${c.status}${c.reason !== null ? ` (reason ${c.reason})` : ''} in the table but ${t.status}${t.reason !== null ? ` (reason ${t.reason})` : ''} in the audit log`,
      );
    else if (t.revokedAt !== undefined && t.revokedAt !== c.revokedAt)
      problems.push(`certificate ${c.serial} has another revocation time in the table than in the audit log`);
    if (t.fingerprint !== undefined && t.fingerprint !== c.fingerprint)
      problems.push(`certificate ${c.serial} in the table is not the one the audit log issued (fingerprint)`);
  }
  for (const serial of told.keys())
    problems.push(`certificate ${serial} of the audit log is missing from the table`);
  return problems;
}
