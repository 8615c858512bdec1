/** Revocation (RFC 5280 reasons, certificateHold included) and release from hold; each re-issues the CRL. */
import { HelmlinkError, REVOCATION_REASONS, reasonName } from '@helmlink/protocol';
import type { CertRecord, CertStatus } from '../store/types';
import type { AuthorityContext } from './context';
import type { Actor } from './types';

const ALLOWED_REASONS = new Set<number>(Object.values(REVOCATION_REASONS));
const SERIAL = /^[0-9a-f]{1,40}$/u;

/** Normalises a serial to lowercase hex or throws ERR_INPUT_INVALID. */
export function normalizeSerial(serial: unknown): string {
  const s = typeof serial === 'string' ? serial.replace(/:/gu, '').toLowerCase() : '';
  if (!SERIAL.test(s)) throw new HelmlinkError('ERR_INPUT_INVALID', 'a serial number is 1-40 hex digits');
  return s;
}

/** A certificate's new state and the number of the CRL that publishes it. */
export interface StatusChange {
  certificate: CertRecord;
  crlNumber: number;
}

/** Revokes a certificate with an RFC 5280 reason (0-6, 9, 10), re-issues the CRL and alerts. */
export async function revoke(
  ctx: Pick<AuthorityContext, 'store' | 'clock' | 'alerts' | 'crls' | 'checkRate'>,
  req: { serial: string; reason: number; description?: string | undefined },
  actor: Actor,
): Promise<StatusChange> {
  ctx.checkRate('revoke', 'perIdentity', actor.id);
  const serial = normalizeSerial(req.serial);
  if (!Number.isInteger(req.reason) || !ALLOWED_REASONS.has(req.reason))
    throw new HelmlinkError('ERR_REVOCATION_REASON_INVALID');
  const description = req.description ?? null;
  const now = ctx.clock();
  const status: CertStatus = req.reason === REVOCATION_REASONS.certificateHold ? 'hold' : 'revoked';
  const record = ctx.store.transaction(() => {
    const cert = ctx.store.getCertificate(serial);
    if (!cert) throw new HelmlinkError('ERR_CERT_NOT_FOUND');
    if (cert.status === 'revoked' || (cert.status === 'hold' && status === 'hold'))
      throw new HelmlinkError('ERR_CERT_ALREADY_REVOKED');
    // A hold may become a permanent revocation; its revocation time stays the time of the hold.
    const revokedAt = cert.status === 'hold' && cert.revokedAt !== null ? cert.revokedAt : now;
    ctx.store.setStatus(serial, status, revokedAt, req.reason, description);
    ctx.store.appendAudit({
      ts: now,
      actor: actor.id,
      action: 'certificate.revoke',
      details: {
        serial,
        entityId: cert.entityId,
        reason: req.reason,
        reasonName: reasonName(req.reason),
        description,
        address: actor.address,
      },
    });
    return { ...cert, status, revokedAt, reason: req.reason, description };
  });
  ctx.alerts.raise(
    'revocation',
    'critical',
    `certificate ${serial} of ${record.entityId} ${status === 'hold' ? 'put on hold' : 'revoked'} (${reasonName(req.reason)}) by ${actor.id}`,
    { serial, entityId: record.entityId, reason: req.reason, description },
  );
  const crl = await ctx.crls.reissue();
  return { certificate: record, crlNumber: crl.number };
}

/** Releases a certificate from certificateHold (RFC 5280 removeFromCRL); anything else is refused. */
export async function release(
  ctx: Pick<AuthorityContext, 'store' | 'clock' | 'crls'>,
  req: { serial: string },
  actor: Actor,
): Promise<StatusChange> {
  const serial = normalizeSerial(req.serial);
  const now = ctx.clock();
  const record = ctx.store.transaction(() => {
    const cert = ctx.store.getCertificate(serial);
    if (!cert) throw new HelmlinkError('ERR_CERT_NOT_FOUND');
    if (cert.status !== 'hold') throw new HelmlinkError('ERR_CERT_NOT_ON_HOLD');
    ctx.store.setStatus(serial, 'valid', null, null, null);
    ctx.store.appendAudit({
      ts: now,
      actor: actor.id,
      action: 'certificate.release',
      details: { serial, entityId: cert.entityId, address: actor.address },
    });
    return { ...cert, status: 'valid' as const, revokedAt: null, reason: null, description: null };
  });
  const crl = await ctx.crls.reissue();
  return { certificate: record, crlNumber: crl.number };
}
