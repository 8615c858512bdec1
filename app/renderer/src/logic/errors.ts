import { describeError } from '@helmlink/protocol';

/** An error as the operator sees it: plain words first, the technical detail one click away. */
export interface FriendlyError {
  /** Short headline in plain words. */
  title: string;
  /** One or two sentences: what happened and what to do. */
  message: string;
  /** Stable error code when known (`ERR_…`). */
  code?: string;
  /** Technical text: code, the technical description and the raw message. */
  detail: string;
}

const WORDS: Array<[RegExp, string, string]> = [
  [/^ERR_(CHAIN_REVOKED)$/u, 'Certificate revoked', 'A certificate involved has been revoked by the certificate authority. Contact your PKI administrator.'],
  [/^ERR_(CHAIN_EXPIRED|CMD_EXPIRED)$/u, 'Expired', 'Something involved has expired. Check the clock of this computer and the certificate validity.'],
  [/^ERR_(CHAIN_NOT_YET_VALID|CMD_NOT_YET_VALID|CMD_IAT_IN_FUTURE)$/u, 'Clock mismatch', 'A time stamp lies in the future. Check the clock of this computer and of the vessel.'],
  [/^ERR_(CHAIN_|CERT_)/u, 'Certificate not trusted', 'A certificate could not be verified against the trusted certificate authority.'],
  [/^ERR_CRL_/u, 'Revocation list problem', 'The certificate revocation list could not be used, so trust cannot be confirmed.'],
  [/^ERR_REPLAY$/u, 'Command already used', 'This command was already received once and is refused a second time. Send a new command.'],
  [/^ERR_(ROLE_FORBIDDEN)$/u, 'Not permitted', 'Your certificate does not carry the role needed for this action.'],
  [/^ERR_(AUD_MISMATCH|ACK_MISMATCH|ISS_MISMATCH)$/u, 'Wrong recipient', 'The message was meant for someone else and was refused.'],
  [/^ERR_(STREAM_|CMD_|CATALOG_)/u, 'Command not accepted', 'The vessel did not accept the requested stream settings.'],
  [/^ERR_(TOKEN_|JOSE_|SIGNATURE_|CLAIM_)/u, 'Signature check failed', 'A signed message could not be verified and was refused.'],
  [/^ERR_(KEY_DECRYPT|PASSPHRASE_REQUIRED)$/u, 'Passphrase needed', 'The passphrase is missing or wrong. Try again.'],
  [/^ERR_KEY_/u, 'Key problem', 'The private key could not be used.'],
  [/KEYCHAIN|KEYRING|VAULT/u, 'Keychain unavailable', 'The operating system keychain cannot be used. You can protect the key with a passphrase instead.'],
  [/ENROLL|TOKEN_(INVALID|USED|EXPIRED)/u, 'Enrollment refused', 'The certificate authority refused the enrollment. Check the token and ask for a new one if needed.'],
  [/FINGERPRINT|PIN/u, 'Certificate authority not recognised', 'The certificate authority did not present the root fingerprint you entered. Check the fingerprint.'],
  [/BRIDGE|WS_|SOCKET/u, 'Console connection lost', 'The console lost its connection to the Helmlink service. It will retry.'],
  [/TIMEOUT|TIMED_OUT/u, 'No answer', 'No answer arrived in time. Check the connection and try again.'],
  [/(NETWORK|CONNECT|ECONNREFUSED|ENOTFOUND|MQTT|BROKER)/u, 'Cannot reach the service', 'A network service could not be reached. Check the address and the connection.'],
  [/(FORBIDDEN|UNAUTHORI[SZ]ED|DENIED)/u, 'Not permitted', 'You are not allowed to do this with the current identity.'],
  [/^ERR_(INPUT_INVALID|ID_INVALID)$/u, 'Invalid input', 'Some of the entered values are not valid. Check the highlighted fields.'],
];

function pick(err: unknown): { code?: string; message: string } {
  if (err && typeof err === 'object') {
    const o = err as { code?: unknown; message?: unknown; error?: unknown };
    if (o.error && typeof o.error === 'object' && !('message' in o && typeof o.message === 'string')) return pick(o.error);
    const code = typeof o.code === 'string' ? o.code : undefined;
    const message = typeof o.message === 'string' ? o.message : String(err);
    return code ? { code, message } : { message };
  }
  return { message: typeof err === 'string' ? err : String(err) };
}

/** Turns anything thrown (a HelmlinkError, a wire error object, an Error, a string) into operator words. */
export function friendlyError(err: unknown): FriendlyError {
  const { code, message } = pick(err);
  const technical = code ? describeError(code) : undefined;
  const detail = [code, technical && technical !== code ? technical : undefined, message && message !== technical ? message : undefined]
    .filter(Boolean)
    .join('\n');
  if (code) {
    for (const [re, title, words] of WORDS) if (re.test(code)) return { title, message: words, code, detail };
  }
  return {
    title: 'Something went wrong',
    message: 'The action could not be completed. Try again; if it keeps failing, open the details and pass them to support.',
    ...(code ? { code } : {}),
    detail: detail || message,
  };
}

/** Plain words for an ack rejection reason code sent by a vessel. */
export function describeReason(code: string | undefined): string {
  if (!code) return 'The vessel gave no reason.';
  const words = friendlyError({ code, message: '' });
  const technical = describeError(code);
  return technical !== code ? `${technical}.` : words.message;
}
