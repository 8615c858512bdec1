/**
 * Attribution of rejections. A vessel answers a rejected command with a signed `rejected` ack only when the
 * rejection is attributable to an authenticated, authorised signer: the x5c chain validated, the signature
 * verified, the signer holds the pilot role and the token carries a readable jti. Everything else (malformed,
 * oversized, wrong typ/alg, forbidden header, untrusted or revoked chain, bad signature, non-pilot signer) is
 * logged and never answered, so an attacker learns nothing from the vessel (no oracle) and cannot make it sign.
 *
 * verifyCommand puts `attributable` (boolean) into every error's details, plus `signer` (entity id from the
 * certificate, the ack's audience) and `jti` (the ack's in_reply_to) when attributable.
 */
import { isHelmlinkError, type ErrorCode } from '../errors';

/** Whom to answer for an attributable rejection. */
export interface Attribution {
  code: ErrorCode;
  /** The pilot's entity id (from its validated certificate). */
  signer: string;
  /** The rejected command's jti. */
  jti: string;
}

/** True when `err` is a verification error the vessel may answer with a `rejected` ack. */
export function isAttributable(err: unknown): boolean {
  return isHelmlinkError(err) && err.details?.attributable === true;
}

/** The code, signer and jti of an attributable rejection, or undefined when it must not be answered. */
export function attributionOf(err: unknown): Attribution | undefined {
  if (!isHelmlinkError(err) || err.details?.attributable !== true) return undefined;
  const { signer, jti } = err.details;
  if (typeof signer !== 'string' || typeof jti !== 'string') return undefined;
  return { code: err.code, signer, jti };
}
