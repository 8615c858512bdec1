/** Verification of an acknowledgement token against the command it answers (see verify.ts for the order). */
import { HelmlinkError } from '../errors';
import {
  checkTimes,
  ERROR_CODE_RE,
  numericDateClaim,
  requireClaims,
  SHA256_B64URL_RE,
  stringClaim,
  uuidClaim,
} from './claims';
import { commandDigest } from './digest';
import { isReasonText, MAX_REASON_TEXT_LENGTH } from './reason-text';
import { peekClaims } from './peek';
import { ACK_STATUSES, TYP_ACK, type AckClaims, type AckStatus, type VerifiedToken } from './types';
import {
  openEnvelope,
  recordReplay,
  rejectUnknownClaims,
  requireRole,
  resolve,
  streamListClaim,
  type VerifyAckOptions,
} from './open';

const ACK_CLAIMS = [
  'iss',
  'aud',
  'iat',
  'nbf',
  'exp',
  'jti',
  'in_reply_to',
  'cmd_sha256',
  'status',
  'reason',
  'reason_text',
  'state',
] as const;

/** Reads the jti of a command token this console signed itself (no verification: it is our own token). */
function ownCommandJti(commandToken: string): string {
  const jti = peekClaims(commandToken)?.jti;
  if (typeof jti !== 'string') throw new TypeError('commandToken is not a compact JWS with a jti');
  return jti;
}

/**
 * Verifies an acknowledgement (`typ` helmlink-ack+jwt) from `vesselId` to this pilot for `commandToken`:
 * signer role vessel with entity id = vesselId, aud = the pilot, in_reply_to = the command's jti,
 * cmd_sha256 = base64url SHA-256 of the exact command token (ERR_ACK_MISMATCH otherwise). Its signer comes from
 * `x5c` or, by `x5t#S256`, from `options.certificates` (ERR_JOSE_X5T_UNKNOWN when not there).
 */
export async function verifyAck(
  token: string | Uint8Array,
  options: VerifyAckOptions,
): Promise<VerifiedToken<AckClaims>> {
  const r = resolve(options);
  const commandJti = ownCommandJti(options.commandToken);
  const env = await openEnvelope(token, TYP_ACK, r, options.trust, options.certificates);
  const { payload: c, signer } = env;
  requireClaims(
    c,
    ACK_CLAIMS.filter((n) => n !== 'reason' && n !== 'reason_text'),
  );
  rejectUnknownClaims(c, ACK_CLAIMS);
  const base = {
    iss: stringClaim(c, 'iss'),
    aud: stringClaim(c, 'aud'),
    iat: numericDateClaim(c, 'iat'),
    nbf: numericDateClaim(c, 'nbf'),
    exp: numericDateClaim(c, 'exp'),
    jti: uuidClaim(c, 'jti'),
  };
  const inReplyTo = uuidClaim(c, 'in_reply_to');
  if (typeof c.cmd_sha256 !== 'string' || !SHA256_B64URL_RE.test(c.cmd_sha256))
    throw new HelmlinkError('ERR_CLAIM_INVALID', 'cmd_sha256 must be a base64url SHA-256', {
      details: { claim: 'cmd_sha256' },
    });
  if (!(ACK_STATUSES as readonly unknown[]).includes(c.status))
    throw new HelmlinkError('ERR_CLAIM_INVALID', 'status must be applied or rejected', {
      details: { claim: 'status' },
    });
  const status = c.status as AckStatus;
  if (status === 'rejected' && (typeof c.reason !== 'string' || !ERROR_CODE_RE.test(c.reason))) {
    throw new HelmlinkError('ERR_CLAIM_INVALID', 'a rejected ack needs a reason code', {
      details: { claim: 'reason' },
    });
  }
  if (status === 'applied' && c.reason !== undefined)
    throw new HelmlinkError('ERR_CLAIM_INVALID', 'an applied ack carries no reason', {
      details: { claim: 'reason' },
    });
  if (status === 'applied' && c.reason_text !== undefined)
    throw new HelmlinkError('ERR_CLAIM_INVALID', 'an applied ack carries no reason text', {
      details: { claim: 'reason_text' },
    });
  if (c.reason_text !== undefined && !isReasonText(c.reason_text))
    throw new HelmlinkError(
      'ERR_CLAIM_INVALID',
      `reason_text must be one plain line of at most ${MAX_REASON_TEXT_LENGTH} characters (no control characters, no markup)`,
      { details: { claim: 'reason_text' } },
    );
  const st = c.state as Record<string, unknown> | null;
  if (
    typeof st !== 'object' ||
    st === null ||
    Array.isArray(st) ||
    Object.keys(st).some((k) => k !== 'on' && k !== 'off')
  ) {
    throw new HelmlinkError('ERR_CLAIM_INVALID', 'state must be an object with on and off', {
      details: { claim: 'state' },
    });
  }
  const state = { on: streamListClaim(st.on, 'state.on'), off: streamListClaim(st.off, 'state.off') };
  if (base.iss !== signer.info.entityId)
    throw new HelmlinkError('ERR_ISS_MISMATCH', `iss ${base.iss} is not the signer ${signer.info.entityId}`);
  if (base.aud !== options.audience)
    throw new HelmlinkError('ERR_AUD_MISMATCH', `the ack is for ${base.aud}, not ${options.audience}`);
  checkTimes(base, { now: r.nowMs / 1000, toleranceSeconds: r.tolerance, maxLifetimeSeconds: r.maxLifetime });
  requireRole(signer, 'vessel');
  if (signer.info.entityId !== options.vesselId)
    throw new HelmlinkError(
      'ERR_ISS_MISMATCH',
      `the ack is signed by ${signer.info.entityId}, not by ${options.vesselId}`,
    );
  if (inReplyTo !== commandJti)
    throw new HelmlinkError('ERR_ACK_MISMATCH', `the ack answers ${inReplyTo}, not ${commandJti}`);
  if (c.cmd_sha256 !== (options.commandSha256 ?? (await commandDigest(options.commandToken))))
    throw new HelmlinkError('ERR_ACK_MISMATCH', 'the ack answers another command token (cmd_sha256 differs)');
  const claims: AckClaims = { ...base, in_reply_to: inReplyTo, cmd_sha256: c.cmd_sha256, status, state };
  if (typeof c.reason === 'string') claims.reason = c.reason;
  if (typeof c.reason_text === 'string') claims.reason_text = c.reason_text;
  if (options.replay) await recordReplay(options.replay, base.iss, base.jti, base.exp, r);
  return { token: env.text, header: env.header, claims, signer: signer.info };
}
