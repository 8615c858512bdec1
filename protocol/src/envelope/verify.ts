/**
 * Verification of Helmlink tokens. The order is fixed and documented in docs/protocol.md:
 *
 *   size → header → typ → alg → forbidden parameters/crit → x5c → chain (cache) → signature →
 *   claims (iss, aud, exp/nbf/iat, lifetime) → role → type-specific content → replay check-and-record (last)
 *
 * Cheap checks that need no key come first (an oversized or malformed token costs nothing), the replay cache is
 * touched only by tokens that passed everything else, so invalid tokens can never poison it.
 *
 * Every error is a HelmlinkError whose `details.attributable` says whether it can be pinned on an authenticated,
 * authorised signer (see attribution.ts): only then may a vessel answer with a `rejected` ack.
 */
import { HelmlinkError } from '../errors';
import { parseCommand } from '../command/parse';
import { checkStreamsSet } from '../command/check';
import { checkTimes, numericDateClaim, requireClaims, stringClaim, uuidClaim, UUID_RE } from './claims';
import { TYP_COMMAND } from './types';
import {
  attribute,
  type Envelope,
  openEnvelope,
  recordReplay,
  rejectUnknownClaims,
  requireRole,
  resolve,
  type VerifiedCommand,
  type VerifyCommandOptions,
} from './open';

export type {
  VerifyOptions,
  VerifyCommandOptions,
  VerifyAckOptions,
  VerifyStateOptions,
  VerifiedCommand,
} from './open';
export { verifyAck } from './verify-ack';
export { verifyState } from './verify-state';

const COMMAND_CLAIMS = ['iss', 'aud', 'iat', 'nbf', 'exp', 'jti', 'cmd'] as const;

/**
 * Verifies a command token for this vessel (`typ` helmlink-cmd+jwt, signer role pilot, aud = options.audience),
 * optionally checks it against the catalog, and records its jti last.
 * @throws HelmlinkError with the first failing check's code; `details.attributable` is true when the signer is an
 *   authenticated pilot and the jti is readable (then `details.signer` and `details.jti` name whom to answer).
 */
export async function verifyCommand(
  token: string | Uint8Array,
  options: VerifyCommandOptions,
): Promise<VerifiedCommand> {
  const r = resolve(options);
  if (!options.replay || typeof options.replay.checkAndRecord !== 'function')
    throw new TypeError('options.replay is required');
  if (typeof options.audience !== 'string' || options.audience === '')
    throw new TypeError('options.audience is required');
  let env: Envelope;
  try {
    // A warm envelope opens synchronously: awaiting only a promise saves a microtask per token.
    const opening = openEnvelope(token, TYP_COMMAND, r, options.trust);
    env = opening instanceof Promise ? await opening : opening;
  } catch (err) {
    return attribute(err, { attributable: false });
  }
  const { payload: c, signer } = env;
  const jti = typeof c.jti === 'string' && UUID_RE.test(c.jti) ? c.jti : undefined;
  const attributable = signer.info.roles.includes('pilot') && jti !== undefined;
  try {
    requireClaims(c, COMMAND_CLAIMS);
    rejectUnknownClaims(c, COMMAND_CLAIMS);
    const claims = {
      iss: stringClaim(c, 'iss'),
      aud: stringClaim(c, 'aud'),
      iat: numericDateClaim(c, 'iat'),
      nbf: numericDateClaim(c, 'nbf'),
      exp: numericDateClaim(c, 'exp'),
      jti: uuidClaim(c, 'jti'),
    };
    if (claims.iss !== signer.info.entityId) {
      throw new HelmlinkError(
        'ERR_ISS_MISMATCH',
        `iss ${claims.iss} is not the signer ${signer.info.entityId}`,
        { details: { iss: claims.iss } },
      );
    }
    if (claims.aud !== options.audience)
      throw new HelmlinkError(
        'ERR_AUD_MISMATCH',
        `the command is for ${claims.aud}, not ${options.audience}`,
        { details: { aud: claims.aud } },
      );
    checkTimes(claims, {
      now: r.nowMs / 1000,
      toleranceSeconds: r.tolerance,
      maxLifetimeSeconds: r.maxLifetime,
    });
    requireRole(signer, 'pilot');
    const cmd = parseCommand(c.cmd);
    const result: VerifiedCommand = {
      token: env.text,
      header: env.header,
      claims: { ...claims, cmd },
      signer: signer.info,
    };
    if (options.catalog) result.state = checkStreamsSet(cmd, options.catalog);
    const recording = recordReplay(options.replay, claims.iss, claims.jti, claims.exp, r);
    if (recording instanceof Promise) await recording;
    return result;
  } catch (err) {
    return attribute(
      err,
      attributable ? { attributable, signer: signer.info.entityId, jti: jti! } : { attributable: false },
    );
  }
}
