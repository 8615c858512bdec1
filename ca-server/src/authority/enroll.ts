/** Enrollment: a CSR with a one-time token becomes a certificate for the identity the token was made for. */
import { HelmlinkError, type EntityIdentity, type ErrorCode } from '@helmlink/protocol';
import type { TokenRecord } from '../store/types';
import type { AlertKind } from './alerts';
import type { AuthorityContext } from './context';
import { issueRecord } from './issue';
import { checkCsrAlerting, handOut } from './issuance';
import { hashToken } from './tokens';
import type { IssuedCertificate, RequestContext } from './types';

/** Refuses an enrollment: audited, alerted (token reuse is critical) and thrown as `code`. */
function refuse(
  ctx: Pick<AuthorityContext, 'audit' | 'alerts'>,
  address: string,
  code: ErrorCode,
  alert: AlertKind,
  message: string,
  details: Record<string, unknown> = {},
): never {
  const d = { address, ...details, code };
  ctx.audit(address, 'enroll.refused', d);
  ctx.alerts.raise(alert, alert === 'token_reuse' ? 'critical' : 'warning', message, d);
  throw new HelmlinkError(code);
}

/** The token for an enrollment at `now`: known, unused and unexpired, or the refusal. */
function usableToken(ctx: AuthorityContext, tokenHash: string, address: string, now: Date): TokenRecord {
  const token = ctx.store.getToken(tokenHash);
  if (!token)
    return refuse(
      ctx,
      address,
      'ERR_ENROLL_TOKEN_UNKNOWN',
      'token_unknown',
      `enrollment with an unknown token from ${address}`,
    );
  if (token.usedAt !== null) {
    return refuse(
      ctx,
      address,
      'ERR_ENROLL_TOKEN_USED',
      'token_reuse',
      `enrollment token for ${token.entityId} used again from ${address}`,
      { entityId: token.entityId, usedSerial: token.usedSerial },
    );
  }
  if (token.expiresAt <= now.getTime())
    return refuse(
      ctx,
      address,
      'ERR_ENROLL_TOKEN_EXPIRED',
      'token_expired',
      `expired enrollment token for ${token.entityId} from ${address}`,
      { entityId: token.entityId },
    );
  return token;
}

/**
 * Enrolls a CSR with a one-time token. The token is consumed in the same transaction that stores the certificate,
 * so a token enrolls at most once even under concurrent requests.
 */
export async function enroll(
  ctx: AuthorityContext,
  req: { csr: string; token: string },
  request: RequestContext = {},
): Promise<IssuedCertificate> {
  const address = request.address ?? 'local';
  ctx.checkRate('enroll', 'perAddress', address);
  const now = new Date(ctx.clock());
  const tokenHash = hashToken(String(req.token));
  const token = usableToken(ctx, tokenHash, address, now);
  ctx.checkRate('enroll', 'perIdentity', token.entityId);
  const identity: EntityIdentity = {
    entityId: token.entityId,
    roles: token.roles,
    ...(token.name ? { name: token.name } : {}),
    ...(token.imo ? { imo: token.imo } : {}),
    ...(token.mmsi ? { mmsi: token.mmsi } : {}),
    ...(token.flag ? { flag: token.flag } : {}),
  };
  const checked = await checkCsrAlerting(ctx, req.csr, identity, address);
  const { pem, record } = await issueRecord({
    identity,
    publicKey: checked.spki,
    issuer: ctx.issuing,
    now,
    validityDays: token.validityDays,
    organization: ctx.config.organization,
  });
  await ctx.commit(() => {
    if (!ctx.store.consumeToken(tokenHash, now.getTime(), record.serial))
      throw new HelmlinkError('ERR_ENROLL_TOKEN_USED');
    ctx.store.insertCertificate(record);
    ctx.store.appendAudit({
      ts: now.getTime(),
      actor: address,
      action: 'certificate.issue',
      details: {
        serial: record.serial,
        entityId: record.entityId,
        roles: record.roles,
        keySpec: checked.keySpec,
        via: 'enroll',
      },
    });
  });
  return handOut(ctx, record, pem);
}
