/** Claim checks shared by every token type: presence, types, issuer, audience and time. */
import { HelmlinkError } from '../errors';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;
export const SHA256_B64URL_RE = /^[A-Za-z0-9_-]{43}$/u;
export const ERROR_CODE_RE = /^ERR_[A-Z0-9_]{1,60}$/u;

/** Throws ERR_CLAIM_MISSING for the first absent claim. */
export function requireClaims(claims: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    if (claims[name] === undefined)
      throw new HelmlinkError('ERR_CLAIM_MISSING', `the ${name} claim is required`, {
        details: { claim: name },
      });
  }
}

/** Throws ERR_CLAIM_INVALID unless the claim is a non-empty string (≤ 256 chars). */
export function stringClaim(claims: Record<string, unknown>, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new HelmlinkError('ERR_CLAIM_INVALID', `the ${name} claim must be a non-empty string`, {
      details: { claim: name },
    });
  }
  return value;
}

/** Throws ERR_CLAIM_INVALID unless the claim is a finite, non-negative NumericDate. */
export function numericDateClaim(claims: Record<string, unknown>, name: string): number {
  const value = claims[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new HelmlinkError('ERR_CLAIM_INVALID', `the ${name} claim must be a NumericDate`, {
      details: { claim: name },
    });
  }
  return value;
}

/** Throws ERR_CLAIM_INVALID unless the claim is a UUID. */
export function uuidClaim(claims: Record<string, unknown>, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || !UUID_RE.test(value)) {
    throw new HelmlinkError('ERR_CLAIM_INVALID', `the ${name} claim must be a UUID`, {
      details: { claim: name },
    });
  }
  return value;
}

export interface TimeRules {
  /** Verification time, epoch seconds. */
  now: number;
  toleranceSeconds: number;
  /** Maximum exp − min(iat, nbf); undefined = no limit. */
  maxLifetimeSeconds: number | undefined;
}

/**
 * Checks exp, nbf and iat against the injected time with tolerance, then the lifetime.
 * @throws HelmlinkError ERR_CMD_EXPIRED, ERR_CMD_NOT_YET_VALID, ERR_CMD_IAT_IN_FUTURE, ERR_CMD_LIFETIME_TOO_LONG.
 */
export function checkTimes(
  times: { iat: number; nbf?: number | undefined; exp?: number | undefined },
  rules: TimeRules,
): void {
  const { now, toleranceSeconds: tol } = rules;
  if (times.exp !== undefined && now - tol >= times.exp) {
    throw new HelmlinkError(
      'ERR_CMD_EXPIRED',
      `the token expired at ${new Date(times.exp * 1000).toISOString()}`,
      { details: { exp: times.exp } },
    );
  }
  if (times.nbf !== undefined && times.nbf > now + tol) {
    throw new HelmlinkError(
      'ERR_CMD_NOT_YET_VALID',
      `the token is not valid before ${new Date(times.nbf * 1000).toISOString()}`,
      { details: { nbf: times.nbf } },
    );
  }
  if (times.iat > now + tol) {
    throw new HelmlinkError(
      'ERR_CMD_IAT_IN_FUTURE',
      `the token claims to be issued at ${new Date(times.iat * 1000).toISOString()}`,
      { details: { iat: times.iat } },
    );
  }
  if (rules.maxLifetimeSeconds !== undefined && times.exp !== undefined) {
    const lifetime = times.exp - Math.min(times.iat, times.nbf ?? times.iat);
    if (lifetime > rules.maxLifetimeSeconds) {
      throw new HelmlinkError(
        'ERR_CMD_LIFETIME_TOO_LONG',
        `the token lifetime ${lifetime} s exceeds ${rules.maxLifetimeSeconds} s`,
        {
          details: { lifetime, max: rules.maxLifetimeSeconds },
        },
      );
    }
  }
}
