/** The JWS algorithms Helmlink knows (RFC 7518 / RFC 8037 names). */

/**
 * Every asymmetric JWS algorithm the envelope can sign and verify. `none` and HMAC algorithms do not exist here.
 * Which of them a verifier accepts is an explicit allow-list chosen by the caller (a subset of this list).
 */
export const JWS_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'PS256'] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

/** True when `value` is one of {@link JWS_ALGORITHMS}. */
export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && (JWS_ALGORITHMS as readonly string[]).includes(value);
}
