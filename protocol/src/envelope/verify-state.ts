/** Verification of a vessel's signed retained state token (see verify.ts for the order). */
import { HelmlinkError } from '../errors';
import { checkStreamsSet } from '../command/check';
import { parseCatalog } from '../catalog/parse';
import type { StreamCatalog } from '../catalog/types';
import { checkTimes, numericDateClaim, requireClaims, stringClaim, uuidClaim, UUID_RE } from './claims';
import {
  MAX_STATE_LIFETIME_SECONDS,
  MAX_STATE_TOKEN_BYTES,
  TYP_STATE,
  type StateClaims,
  type VerifiedToken,
} from './types';
import { rememberSigner } from './certificates';
import {
  openEnvelope,
  rejectUnknownClaims,
  requireRole,
  resolve,
  streamListClaim,
  type VerifyStateOptions,
} from './open';

const STATE_CLAIMS = ['iss', 'iat', 'jti', 'exp', 'catalog', 'on', 'off', 'last_jti', 'seq'] as const;

/**
 * Verifies a retained state token (`typ` helmlink-state+jwt) of `vesselId`: signer role vessel with that entity
 * id, iat not in the future, exp present and not past (ERR_CMD_EXPIRED: the vessel stopped re-signing it), a
 * lifetime of at most MAX_STATE_LIFETIME_SECONDS, on/off an exact partition of the carried catalog. State tokens
 * have no audience; consoles keep the one with the highest `seq` (and refuse a lower one). When the state verified,
 * its signer's certificate is recorded in `options.certificates` (the vessel's acks name it by `x5t#S256`).
 */
export async function verifyState(
  token: string | Uint8Array,
  options: VerifyStateOptions,
): Promise<VerifiedToken<StateClaims>> {
  const r = resolve(options, MAX_STATE_TOKEN_BYTES);
  const { maxAgeSeconds } = options;
  // NaN would make every state young enough (the comparison below is false): a caller bug, refused.
  if (maxAgeSeconds !== undefined && (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds < 0))
    throw new TypeError('maxAgeSeconds must be a finite number >= 0');
  const env = await openEnvelope(token, TYP_STATE, r, options.trust);
  const { payload: c, signer } = env;
  requireClaims(c, STATE_CLAIMS);
  rejectUnknownClaims(c, STATE_CLAIMS);
  const iss = stringClaim(c, 'iss');
  const iat = numericDateClaim(c, 'iat');
  const exp = numericDateClaim(c, 'exp');
  const jti = uuidClaim(c, 'jti');
  if (c.last_jti !== null && (typeof c.last_jti !== 'string' || !UUID_RE.test(c.last_jti)))
    throw new HelmlinkError('ERR_CLAIM_INVALID', 'last_jti must be a UUID or null', {
      details: { claim: 'last_jti' },
    });
  if (typeof c.seq !== 'number' || !Number.isSafeInteger(c.seq) || c.seq < 0)
    throw new HelmlinkError('ERR_CLAIM_INVALID', 'seq must be a non-negative integer', {
      details: { claim: 'seq' },
    });
  let catalog: StreamCatalog;
  try {
    catalog = parseCatalog(c.catalog);
  } catch (err) {
    throw new HelmlinkError('ERR_CLAIM_INVALID', `catalog: ${(err as Error).message}`, {
      cause: err,
      details: { claim: 'catalog' },
    });
  }
  const on = streamListClaim(c.on, 'on');
  const off = streamListClaim(c.off, 'off');
  if (iss !== signer.info.entityId)
    throw new HelmlinkError('ERR_ISS_MISMATCH', `iss ${iss} is not the signer ${signer.info.entityId}`);
  checkTimes(
    { iat, exp },
    { now: r.nowMs / 1000, toleranceSeconds: r.tolerance, maxLifetimeSeconds: MAX_STATE_LIFETIME_SECONDS },
  );
  if (maxAgeSeconds !== undefined && r.nowMs / 1000 - r.tolerance > iat + maxAgeSeconds) {
    throw new HelmlinkError('ERR_CMD_EXPIRED', `the state is older than ${maxAgeSeconds} s`);
  }
  requireRole(signer, 'vessel');
  if (signer.info.entityId !== options.vesselId)
    throw new HelmlinkError(
      'ERR_ISS_MISMATCH',
      `the state is signed by ${signer.info.entityId}, not by ${options.vesselId}`,
    );
  checkStreamsSet({ on, off }, catalog);
  const claims: StateClaims = {
    iss,
    iat,
    jti,
    catalog,
    on,
    off,
    last_jti: c.last_jti as string | null,
    seq: c.seq,
    exp,
  };
  if (options.certificates)
    rememberSigner(options.certificates, env.header.x5c!, signer.path.leafFingerprint);
  return { token: env.text, header: env.header, claims, signer: signer.info };
}
