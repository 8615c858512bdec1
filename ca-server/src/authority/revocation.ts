/**
 * Revocation (RFC 5280 reasons, certificateHold included) and release from hold; each re-issues the CRL.
 *
 * A permanent revocation follows the renewal lineage: every certificate renewed from the revoked one (transitively)
 * is revoked with the same reason, so a stolen key cannot live on in its renewals. keyCompromise may also be declared
 * for a certificate already revoked for another reason (typically superseded): the reason becomes keyCompromise
 * (its revocation time stays) and the lineage follows. Certificates the system runs on are guarded
 * (infrastructure.ts).
 */
import { HelmlinkError, REVOCATION_REASONS, reasonName } from '@helmlink/protocol';
import type { CaStore, CertRecord, CertStatus } from '../store/types';
import type { AuthorityContext } from './context';
import { checkPlan, infrastructureKind, type RevocationPlan } from './infrastructure';
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
  /** Serials revoked along with it (its renewals). */
  alsoRevoked: string[];
}

/** A revocation request: the reason, and for a guarded certificate `force` with a replacement plan. */
export interface RevokeRequest extends RevocationPlan {
  serial: string;
  reason: number;
  description?: string | undefined;
}

type RevokeContext = Pick<
  AuthorityContext,
  'store' | 'clock' | 'alerts' | 'crls' | 'checkRate' | 'config' | 'rotateServiceIdentity'
>;

/** Sets one certificate's new status with its audit entry; returns the record as it now is. */
function applyRevocation(
  store: CaStore,
  cert: CertRecord,
  reason: number,
  description: string | null,
  now: number,
  actor: Actor,
  cascadeFrom?: string,
): CertRecord {
  const status: CertStatus = reason === REVOCATION_REASONS.certificateHold ? 'hold' : 'revoked';
  // A hold (or a revocation whose reason is raised to keyCompromise) keeps the time it was first taken out.
  const revokedAt = cert.status !== 'valid' && cert.revokedAt !== null ? cert.revokedAt : now;
  store.setStatus(cert.serial, status, revokedAt, reason, description);
  store.appendAudit({
    ts: now,
    actor: actor.id,
    action: 'certificate.revoke',
    details: {
      serial: cert.serial,
      entityId: cert.entityId,
      reason,
      reasonName: reasonName(reason),
      status,
      revokedAt,
      description,
      address: actor.address,
      ...(cert.status === 'revoked' ? { previousReason: cert.reason } : {}),
      ...(cascadeFrom ? { renewalOf: cascadeFrom } : {}),
    },
  });
  return { ...cert, status, revokedAt, reason, description };
}

/** Revokes the renewals of `serial` (transitively) with the same reason; returns their serials. */
function revokeLineage(store: CaStore, serial: string, reason: number, now: number, actor: Actor): string[] {
  const done: string[] = [];
  for (const d of store.listDescendants(serial)) {
    const raise =
      d.status === 'revoked' && reason === REVOCATION_REASONS.keyCompromise && d.reason !== reason;
    if (d.status === 'revoked' && !raise) continue;
    applyRevocation(store, d, reason, `renewal of ${serial}`, now, actor, serial);
    done.push(d.serial);
  }
  return done;
}

/**
 * Revokes a certificate with an RFC 5280 reason (0-6, 9, 10) and its renewals, re-issues the CRL and alerts.
 * Throws ERR_CERT_NOT_FOUND, ERR_CERT_ALREADY_REVOKED, ERR_REVOCATION_REASON_INVALID and, for guarded certificates,
 * ERR_REVOCATION_GUARDED, ERR_REPLACEMENT_INVALID or ERR_LAST_ADMIN.
 */
export async function revoke(ctx: RevokeContext, req: RevokeRequest, actor: Actor): Promise<StatusChange> {
  ctx.checkRate('revoke', 'perIdentity', actor.id);
  const serial = normalizeSerial(req.serial);
  if (!Number.isInteger(req.reason) || !ALLOWED_REASONS.has(req.reason))
    throw new HelmlinkError('ERR_REVOCATION_REASON_INVALID');
  const plan: RevocationPlan = {
    force: req.force,
    replacement:
      req.replacement === undefined || req.replacement === 'issue'
        ? req.replacement
        : normalizeSerial(req.replacement),
  };
  const description = req.description ?? null;
  const guard = (cert: CertRecord): 'issue' | undefined => {
    const kind = infrastructureKind(ctx.store, ctx.config, cert, ctx.clock());
    return kind ? checkPlan(ctx.store, kind, cert, plan, ctx.clock()) : undefined;
  };
  const before = ctx.store.getCertificate(serial);
  // The CA's own identity is replaced (and loaded) before its certificate is revoked: never serve a revoked one.
  const rotated = before !== undefined && guard(before) === 'issue';
  if (rotated) await ctx.rotateServiceIdentity(actor);
  const now = ctx.clock();
  const { record, alsoRevoked } = ctx.store.transaction(() => {
    const cert = ctx.store.getCertificate(serial);
    if (!cert) throw new HelmlinkError('ERR_CERT_NOT_FOUND');
    guard(cert);
    // Superseded by this very request's replacement: it stays revoked, with the reason asked for (never a hold).
    if (rotated && req.reason === REVOCATION_REASONS.certificateHold)
      return { record: cert, alsoRevoked: [] };
    const raise = rotated || (req.reason === REVOCATION_REASONS.keyCompromise && cert.reason !== req.reason);
    if ((cert.status === 'revoked' && !raise) || (cert.status === 'hold' && req.reason === 6))
      throw new HelmlinkError('ERR_CERT_ALREADY_REVOKED');
    const updated = applyRevocation(ctx.store, cert, req.reason, description, now, actor);
    const lineage =
      updated.status === 'revoked' ? revokeLineage(ctx.store, serial, req.reason, now, actor) : [];
    return { record: updated, alsoRevoked: lineage };
  });
  const verb = record.status === 'hold' ? 'put on hold' : 'revoked';
  ctx.alerts.raise(
    'revocation',
    'critical',
    `certificate ${serial} of ${record.entityId} ${verb} (${reasonName(req.reason)}) by ${actor.id}${alsoRevoked.length ? `, with ${alsoRevoked.length} renewal(s) of it` : ''}`,
    { serial, entityId: record.entityId, reason: req.reason, description, alsoRevoked },
  );
  const crl = await ctx.crls.reissue();
  return { certificate: record, crlNumber: crl.number, alsoRevoked };
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
  return { certificate: record, crlNumber: crl.number, alsoRevoked: [] };
}
