/**
 * Reading a compact JWS without verifying it (jose's `decodeProtectedHeader` / `decodeJwt`). Only for bookkeeping:
 * routing an ack to the command it claims to answer, bounding how long a rejection is remembered, finding the
 * signer's certificates to show. Never for a trust decision: that is what `verify.ts` is for.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';

/** The protected header of a compact JWS, unverified; undefined when the token does not decode. */
export function peekHeader(token: string): Record<string, unknown> | undefined {
  try {
    return decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The JSON claims of a compact JWS, unverified; undefined when the token does not decode to a JSON object. */
export function peekClaims(token: string): Record<string, unknown> | undefined {
  try {
    return decodeJwt(token) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
