/** Enrollment tokens: one-time, short-lived, bound to one entity and its roles; only their hash is stored. */
import { createHash, randomBytes } from 'node:crypto';
import { HelmlinkError, assertEntityId, type Role } from '@helmlink/protocol';
import type { TokenResponse } from '@helmlink/ca-client/wire';
import type { AuthorityContext } from './context';
import { assertMaritime, assertRoles } from './entity';
import { assertIdentifiersFree } from './lineage';
import type { Actor, TokenRequest } from './types';

/** Longest certificate lifetime a token may ask for, in days. */
export const MAX_VALIDITY_DAYS = 825;
/** Longest enrollment token lifetime: 30 days. */
export const MAX_TOKEN_TTL = 30 * 86_400;

/** Hash of an enrollment token as stored (SHA-256, hex). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const defaultValidityDays = (roles: readonly Role[]): number =>
  roles.some((r) => r === 'vessel' || r === 'broker' || r === 'ca') ? 365 : 90;

/**
 * Creates a one-time enrollment token (`defaultTtlSeconds` unless the request sets one); only its hash is stored,
 * with an audit entry. Returns the token (shown once).
 */
export function createToken(
  ctx: Pick<AuthorityContext, 'store' | 'clock'>,
  req: TokenRequest,
  actor: Actor,
  defaultTtlSeconds: number,
): TokenResponse {
  const entityId = assertEntityId(req.entityId);
  const roles = assertRoles(req.roles);
  if (roles.includes('ca'))
    throw new HelmlinkError('ERR_INPUT_INVALID', 'the ca role is not enrolled with tokens');
  assertMaritime(req);
  // Early word for the admin; enrollment checks again in the transaction that stores the certificate.
  assertIdentifiersFree(ctx.store, { entityId, imo: req.imo, mmsi: req.mmsi }, ctx.clock());
  const ttl = req.ttlSeconds ?? defaultTtlSeconds;
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_TOKEN_TTL)
    throw new HelmlinkError('ERR_INPUT_INVALID', `token lifetime must be 60..${MAX_TOKEN_TTL} s`);
  const validityDays = req.validityDays ?? defaultValidityDays(roles);
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
    throw new HelmlinkError('ERR_INPUT_INVALID', `certificate validity must be 1..${MAX_VALIDITY_DAYS} days`);
  }
  const token = `hlt_${randomBytes(32).toString('base64url')}`;
  const now = ctx.clock();
  const expiresAt = now + ttl * 1000;
  ctx.store.transaction(() => {
    ctx.store.insertToken({
      hash: hashToken(token),
      entityId,
      roles,
      name: req.name ?? null,
      imo: req.imo ?? null,
      mmsi: req.mmsi ?? null,
      flag: req.flag ?? null,
      validityDays,
      expiresAt,
      createdAt: now,
      createdBy: actor.id,
      usedAt: null,
      usedSerial: null,
    });
    ctx.store.appendAudit({
      ts: now,
      actor: actor.id,
      action: 'token.create',
      details: { entityId, roles, expiresAt, tokenHash: hashToken(token).slice(0, 16) },
    });
  });
  return { token, expiresAt: new Date(expiresAt).toISOString(), entityId, roles };
}
