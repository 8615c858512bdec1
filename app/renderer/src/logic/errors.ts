import { describeError } from '@helmlink/protocol/vocabulary';

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

/** Plain words for codes an operator meets often (checked before the pattern table). */
const EXACT: Record<string, [string, string]> = {
  ERR_CA_UNREACHABLE: ['Cannot reach the certificate authority', 'Check the address and the network connection, then try again.'],
  ERR_CA_PIN_MISMATCH: ['Certificate authority not recognised', 'The certificate authority did not present the root fingerprint you entered. Check the fingerprint with your administrator.'],
  ERR_SERVER_UNTRUSTED: ['Certificate authority not recognised', 'The server did not prove it belongs to the trusted certificate authority.'],
  ERR_CA_RESPONSE: ['Unexpected answer', 'The certificate authority answered in a way the console does not understand. Try again later.'],
  ERR_ENROLL_TOKEN_UNKNOWN: ['Enrollment token not accepted', 'The certificate authority does not know this token. Check that it was copied completely and matches your id.'],
  ERR_ENROLL_TOKEN_USED: ['Enrollment token already used', 'Each token works once. Ask your PKI administrator for a new one.'],
  ERR_ENROLL_TOKEN_EXPIRED: ['Enrollment token expired', 'Ask your PKI administrator for a new token.'],
  ERR_CSR_SUBJECT_MISMATCH: ['Wrong id for this token', 'The id you entered is not the one the token was issued for.'],
  ERR_KEYCHAIN_UNAVAILABLE: ['Keychain unavailable', 'The operating system keychain cannot be used. Protect the key with a passphrase instead.'],
  ERR_KEYCHAIN_ENTRY_MISSING: ['Key unlock data missing', 'The keychain no longer holds the data needed to open your key. Import a backup or enroll again.'],
  ERR_IDENTITY_LOCKED: ['Passphrase needed', 'Enter your key passphrase to sign commands.'],
  ERR_IDENTITY_MISSING: ['No identity yet', 'Enroll or import an identity first.'],
  ERR_IDENTITY_EXISTS: ['An identity is already stored', 'Remove the current identity in Settings before enrolling another one.'],
  ERR_IDENTITY_INVALID: ['Identity not usable', 'The key and the certificate do not belong together.'],
  ERR_IMPORT_INVALID: ['File not readable', 'The identity file could not be read. Check the file and its passphrase.'],
  ERR_NOT_CONNECTED: ['Not connected', 'The console is not connected to the broker. Connect on the Connection tab.'],
  ERR_BROKER_CONNECT: ['Cannot connect to the broker', 'Check the broker address and your certificate, then try again.'],
  ERR_VESSEL_UNKNOWN: ['Vessel not known', 'No verified state has been received from this vessel yet.'],
  ERR_COMMAND_TIMEOUT: ['No answer from the vessel', 'No verified acknowledgement arrived in time. The command may or may not have been applied; check the vessel state.'],
  ERR_CONSOLE_NOT_ADMIN: ['Administrator only', 'This needs an identity with the administrator role.'],
  ERR_FORBIDDEN: ['Not permitted', 'Your identity lacks the role needed for this action.'],
  ERR_CERT_ALREADY_REVOKED: ['Already revoked', 'This certificate is already revoked.'],
  ERR_CERT_NOT_ON_HOLD: ['Not on hold', 'Only a certificate on hold can be released.'],
  ERR_RATE_LIMITED: ['Too many requests', 'Wait a moment and try again.'],
  ERR_SETTINGS_MISSING: ['Setting missing', 'A required setting is missing. Check the Settings tab.'],
  ERR_IPC_PAYLOAD_INVALID: ['Invalid input', 'Some of the entered values are not valid. Check the fields and try again.'],
  ERR_BRIDGE_DISCONNECTED: ['Console connection lost', 'The page lost its connection to the Helmlink service. It reconnects by itself; try again in a moment.'],
};

const WORDS: Array<[RegExp, string, string]> = [
  [/^ERR_(CHAIN_REVOKED)$/u, 'Certificate revoked', 'A certificate involved has been revoked by the certificate authority. Contact your PKI administrator.'],
  [/^ERR_(CHAIN_EXPIRED|CMD_EXPIRED)$/u, 'Expired', 'Something involved has expired. Check the clock of this computer and the certificate validity.'],
  [/^ERR_(CHAIN_NOT_YET_VALID|CMD_NOT_YET_VALID|CMD_IAT_IN_FUTURE)$/u, 'Clock mismatch', 'A time stamp lies in the future. Check the clock of this computer and of the vessel.'],
  [/^ERR_(CHAIN_|CERT_|CLIENT_CERT_)/u, 'Certificate not trusted', 'A certificate could not be verified against the trusted certificate authority.'],
  [/^ERR_CRL_/u, 'Revocation list problem', 'The certificate revocation list could not be used, so trust cannot be confirmed.'],
  [/^ERR_REPLAY$/u, 'Command already used', 'This command was already received once and is refused a second time. Send a new command.'],
  [/^ERR_(ROLE_FORBIDDEN)$/u, 'Not permitted', 'Your certificate does not carry the role needed for this action.'],
  [/^ERR_(AUD_MISMATCH|ACK_MISMATCH|ISS_MISMATCH)$/u, 'Wrong recipient', 'The message was meant for someone else and was refused.'],
  [/^ERR_(STREAM_|CMD_|CATALOG_)/u, 'Command not accepted', 'The vessel did not accept the requested stream settings.'],
  [/^ERR_(TOKEN_|JOSE_|SIGNATURE_|CLAIM_)/u, 'Signature check failed', 'A signed message could not be verified and was refused.'],
  [/^ERR_(KEY_DECRYPT|PASSPHRASE_REQUIRED)$/u, 'Passphrase needed', 'The passphrase is missing or wrong. Try again.'],
  [/^ERR_KEY_/u, 'Key problem', 'The private key could not be used.'],
  [/^ERR_(CSR_|ENROLL_)/u, 'Enrollment refused', 'The certificate authority refused the enrollment. Check the token and ask for a new one if needed.'],
  [/(TIMEOUT|TIMED_OUT)/u, 'No answer', 'No answer arrived in time. Check the connection and try again.'],
  [/(NETWORK|CONNECT|UNREACHABLE|ECONNREFUSED|ENOTFOUND|MQTT|BROKER)/u, 'Cannot reach the service', 'A network service could not be reached. Check the address and the connection.'],
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
    const exact = EXACT[code];
    if (exact) return { title: exact[0], message: exact[1], code, detail };
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
