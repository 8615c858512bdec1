/** Read-only queries: one certificate, certificate listings and alerts. */
import { HelmlinkError, type Role } from '@helmlink/protocol';
import type { AlertRecord, CertRecord, CertStatus } from '../store/types';
import type { AuthorityContext } from './context';
import { normalizeSerial } from './revocation';

/** Filter of {@link listCertificates}. */
export interface CertificateFilter {
  role?: Role;
  status?: CertStatus;
  expiringWithinSeconds?: number;
  limit?: number;
}

/** The certificate with this serial (hex, colons allowed) or ERR_CERT_NOT_FOUND. */
export function getCertificate(ctx: Pick<AuthorityContext, 'store'>, serial: string): CertRecord {
  const record = ctx.store.getCertificate(normalizeSerial(serial));
  if (!record) throw new HelmlinkError('ERR_CERT_NOT_FOUND');
  return record;
}

/** Certificates matching the filter (expiry counted from the authority's clock). */
export function listCertificates(
  ctx: Pick<AuthorityContext, 'store' | 'clock'>,
  q: CertificateFilter,
): CertRecord[] {
  const now = ctx.clock();
  return ctx.store.listCertificates({
    ...(q.role ? { role: q.role } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.expiringWithinSeconds !== undefined
      ? { expiringBefore: now + q.expiringWithinSeconds * 1000, now }
      : {}),
    ...(q.limit ? { limit: q.limit } : {}),
  });
}

/** Alerts with an id above `sinceId` (at most `limit`). */
export function listAlerts(
  ctx: Pick<AuthorityContext, 'store'>,
  sinceId?: number,
  limit?: number,
): AlertRecord[] {
  return ctx.store.listAlerts(sinceId, limit);
}
