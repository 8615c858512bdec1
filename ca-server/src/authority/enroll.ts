/** Enrollment: a CSR with a one-time token becomes a certificate for the identity the token was made for. */
import { HelmlinkError, type EntityIdentity, type ErrorCode } from '@helmlink/protocol';
import type { TokenRecord } from '../store/types';
import type { AlertKind } from './alerts';
import type { AuthorityContext } from './context';
import { issueRecord } from './issue';
import { assertIssuable } from './lineage';
import { checkCsrAlerting, handOut } from './issuance';
import { hashToken } from './tokens';
import type { IssuedCertificate, RequestContext } from './types';

/**
 * Refuses an enrollment: counted against the address's failure budget, audited and alerted once per address, kind
 * and window (token reuse is critical), and thrown as `code`.
 */
function refuse(
  ctx: Pick<AuthorityContext, 'failures'>,
  address: string,
  code: ErrorCode,
  kind: AlertKind,
  message: string,
  details: Record<string, unknown> = {},
): never {
  ctx.failures.fail(address, {
    kind,
    severity: kind === 'token_reuse' ? 'critical' : 'warning',
    action: 'enroll.refused',
    message,
    details: { ...details, code },
  });
  throw new HelmlinkError(code);
}

/** Whether a token is there to be used at `now`. */
const usable = (token: TokenRecord | undefined, now: Date): token is TokenRecord =>
  token !== undefined && token.usedAt === null && token.expiresAt > now.getTime();

/** The refusal of a token that is not usable (unknown, used or expired). */
function refuseToken(ctx: AuthorityContext, token: TokenRecord | undefined, address: string): never {
  if (!token)
    return refuse(
      ctx,
      address,
      'ERR_ENROLL_TOKEN_UNKNOWN',
      'token_unknown',
      `enrollment with an unknown token from ${address}`,
    );
  if (token.usedAt !== null)
    return refuse(
      ctx,
      address,
      'ERR_ENROLL_TOKEN_USED',
      'token_reuse',
      `enrollment token for ${token.entityId} used again from ${address}`,
      { entityId: token.entityId, usedSerial: token.usedSerial },
    );
  return refuse(
    ctx,
    address,
    'ERR_ENROLL_TOKEN_EXPIRED',
    'token_expired',
    `expired enrollment token for ${token.entityId} from ${address}`,
    { entityId: token.entityId },
  );
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
  const now = new Date(ctx.clock());
  const tokenHash = hashToken(String(req.token));
  const token = ctx.store.getToken(tokenHash);
  if (!usable(token, now)) {
    // Over its failure budget an address gets 429 before any work; a usable token is never refused for it.
    ctx.failures.guard(address);
    refuseToken(ctx, token, address);
  }
  ctx.checkRate('enroll', 'perAddress', address);
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
  const superseded = await ctx.commit(() => {
    if (!ctx.store.consumeToken(tokenHash, now.getTime(), record.serial))
      throw new HelmlinkError('ERR_ENROLL_TOKEN_USED');
    assertIssuable(ctx.store, record, now.getTime());
    const replaced = ctx.store.insertCertificate(record);
    ctx.store.appendAudit({
      ts: now.getTime(),
      actor: address,
      action: 'certificate.issue',
      details: {
        serial: record.serial,
        entityId: record.entityId,
        roles: record.roles,
        keySpec: checked.keySpec,
        fingerprint: record.fingerprint,
        via: 'enroll',
      },
    });
    return replaced;
  });
  // A new enrollment of an entity supersedes its current certificate: the CRL says so before the answer.
  if (superseded.length > 0) await ctx.crls.reissue();
  return handOut(ctx, record, pem);
}
