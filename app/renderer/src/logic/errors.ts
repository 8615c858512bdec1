import { describeError, isErrorCode, type ErrorCode } from '@helmlink/protocol/vocabulary';

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

type Words = readonly [title: string, message: string];

/** Words shared by groups of similar codes. */
const TOPICS = {
  input: ['Invalid input', 'Some of the entered values are not valid. Check the highlighted fields.'],
  fault: [
    'Something went wrong',
    'The action could not be completed. Try again; if it keeps failing, open the details and pass them to support.',
  ],
  revoked: [
    'Certificate revoked',
    'A certificate involved has been revoked by the certificate authority. Contact your PKI administrator.',
  ],
  expired: [
    'Expired',
    'Something involved has expired. Check the clock of this computer and the certificate validity.',
  ],
  clock: [
    'Clock mismatch',
    'A time stamp lies in the future. Check the clock of this computer and of the vessel.',
  ],
  untrusted: [
    'Certificate not trusted',
    'A certificate could not be verified against the trusted certificate authority.',
  ],
  crl: [
    'Revocation list problem',
    'The certificate revocation list could not be used, so trust cannot be confirmed.',
  ],
  replay: [
    'Command already used',
    'This command was already received once and is refused a second time. Send a new command.',
  ],
  role: ['Not permitted', 'Your certificate does not carry the role needed for this action.'],
  recipient: ['Wrong recipient', 'The message was meant for someone else and was refused.'],
  command: ['Command not accepted', 'The vessel did not accept the requested stream settings.'],
  signature: ['Signature check failed', 'A signed message could not be verified and was refused.'],
  passphrase: ['Passphrase needed', 'The passphrase is missing or wrong. Try again.'],
  key: ['Key problem', 'The private key could not be used.'],
  enrollment: [
    'Enrollment refused',
    'The certificate authority refused the enrollment. Check the token and ask for a new one if needed.',
  ],
  timeout: ['No answer', 'No answer arrived in time. Check the connection and try again.'],
  network: [
    'Cannot reach the service',
    'A network service could not be reached. Check the address and the connection.',
  ],
  forbidden: ['Not permitted', 'You are not allowed to do this with the current identity.'],
} as const satisfies Record<string, Words>;
type Topic = keyof typeof TOPICS;

/**
 * The operator's words for every registered code: a topic shared with similar codes, or words of its own.
 * Exhaustive: a new code of any package does not compile until it has words here.
 */
const CODE_WORDS = {
  // --- protocol ---------------------------------------------------------------------------------------
  ERR_INPUT_INVALID: 'input',
  ERR_ID_INVALID: 'input',
  ERR_INTERNAL: 'fault',
  ERR_PORT_IN_USE: 'fault',
  ERR_CMD_INVALID: 'command',
  ERR_CMD_VERSION_UNSUPPORTED: 'command',
  ERR_CMD_TYPE_UNSUPPORTED: 'command',
  ERR_STREAM_ADDRESS_INVALID: 'command',
  ERR_STREAM_UNKNOWN: 'command',
  ERR_STREAM_DUPLICATE: 'command',
  ERR_STREAM_CONFLICT: 'command',
  ERR_STREAM_MISSING: 'command',
  ERR_CATALOG_INVALID: 'command',
  ERR_CMD_LIFETIME_TOO_LONG: 'command',
  ERR_TOKEN_TOO_LARGE: 'signature',
  ERR_TOKEN_MALFORMED: 'signature',
  ERR_JOSE_ALG_NOT_ALLOWED: 'signature',
  ERR_JOSE_HEADER_FORBIDDEN: 'signature',
  ERR_JOSE_TYP_INVALID: 'signature',
  ERR_JOSE_CRIT_UNSUPPORTED: 'signature',
  ERR_JOSE_X5C_INVALID: 'signature',
  ERR_JOSE_X5T_INVALID: 'signature',
  ERR_JOSE_X5T_UNKNOWN: 'signature',
  ERR_JOSE_SIGNER_AMBIGUOUS: 'signature',
  ERR_JOSE_SIGNER_MISSING: 'signature',
  ERR_SIGNATURE_INVALID: 'signature',
  ERR_CLAIM_MISSING: 'signature',
  ERR_CLAIM_INVALID: 'signature',
  ERR_ISS_MISMATCH: 'recipient',
  ERR_AUD_MISMATCH: 'recipient',
  ERR_ACK_MISMATCH: 'recipient',
  ERR_CMD_EXPIRED: 'expired',
  ERR_CMD_NOT_YET_VALID: 'clock',
  ERR_CMD_IAT_IN_FUTURE: 'clock',
  ERR_ROLE_FORBIDDEN: 'role',
  ERR_REPLAY: 'replay',
  ERR_REPLAY_STORE: 'fault',
  ERR_CERT_MALFORMED: 'untrusted',
  ERR_CERT_PROFILE: 'untrusted',
  ERR_CHAIN_UNTRUSTED: 'untrusted',
  ERR_CHAIN_SIGNATURE: 'untrusted',
  ERR_CHAIN_EXPIRED: 'expired',
  ERR_CHAIN_NOT_YET_VALID: 'clock',
  ERR_CHAIN_REVOKED: 'revoked',
  ERR_CHAIN_BASIC_CONSTRAINTS: 'untrusted',
  ERR_CHAIN_PATH_LENGTH: 'untrusted',
  ERR_CHAIN_KEY_USAGE: 'untrusted',
  ERR_CHAIN_EKU: 'untrusted',
  ERR_CHAIN_NAME_MISMATCH: 'untrusted',
  ERR_CHAIN_ALG_UNSUPPORTED: 'untrusted',
  ERR_CHAIN_CRITICAL_EXTENSION: 'untrusted',
  ERR_CHAIN_PROFILE: 'untrusted',
  ERR_CHAIN_NAME_CONSTRAINTS: 'untrusted',
  ERR_CHAIN_TOO_COMPLEX: 'untrusted',
  ERR_CRL_MALFORMED: 'crl',
  ERR_CRL_INVALID: 'crl',
  ERR_CRL_MISSING: 'crl',
  ERR_CRL_STALE: 'crl',
  ERR_CRL_CRITICAL_EXTENSION: 'crl',
  ERR_CRL_PROFILE: 'crl',
  ERR_CRL_NOT_NEWER: 'crl',
  ERR_KEY_DECRYPT: 'passphrase',
  ERR_PASSPHRASE_REQUIRED: 'passphrase',
  ERR_KEY_UNSUPPORTED: 'key',
  ERR_KEY_WEAK: 'key',
  ERR_SIG_ALG_WEAK: 'fault',
  // --- CA server --------------------------------------------------------------------------------------
  ERR_CA_NOT_INITIALIZED: 'fault',
  ERR_CA_EXISTS: 'fault',
  ERR_CSR_INVALID: 'enrollment',
  ERR_CSR_SIGNATURE: 'enrollment',
  ERR_CSR_EXTENSION_FORBIDDEN: 'enrollment',
  ERR_CSR_SUBJECT_MISMATCH: [
    'Wrong id for this token',
    'The id you entered is not the one the token was issued for.',
  ],
  ERR_ENROLL_TOKEN_UNKNOWN: [
    'Enrollment token not accepted',
    'The certificate authority does not know this token. Check that it was copied completely and matches your id.',
  ],
  ERR_ENROLL_TOKEN_USED: [
    'Enrollment token already used',
    'Each token works once. Ask your PKI administrator for a new one.',
  ],
  ERR_ENROLL_TOKEN_EXPIRED: ['Enrollment token expired', 'Ask your PKI administrator for a new token.'],
  ERR_CLIENT_CERT_REQUIRED: 'untrusted',
  ERR_CLIENT_CERT_INVALID: 'untrusted',
  ERR_FORBIDDEN: ['Not permitted', 'Your identity lacks the role needed for this action.'],
  ERR_CERT_NOT_FOUND: 'untrusted',
  ERR_REVOCATION_REASON_INVALID: 'fault',
  ERR_CERT_ALREADY_REVOKED: ['Already revoked', 'This certificate is already revoked.'],
  ERR_CERT_NOT_ON_HOLD: ['Not on hold', 'Only a certificate on hold can be released.'],
  ERR_KEY_IN_USE: [
    'Key already in use',
    'This key is already certified for another identity: create a new key.',
  ],
  ERR_KEY_COMPROMISED: [
    'Compromised key',
    'This key was revoked as compromised and can never be certified again: create a new key.',
  ],
  ERR_REVOCATION_GUARDED: [
    'Infrastructure certificate',
    "This is the CA's or a broker's certificate: revoking it needs force and a replacement, issued first.",
  ],
  ERR_REPLACEMENT_INVALID: [
    'No usable replacement',
    'Issue the replacement certificate first, then name it when you revoke this one.',
  ],
  ERR_LAST_ADMIN: [
    'Last admin',
    'This is the last admin certificate: enroll another admin before revoking it.',
  ],
  ERR_IDENTIFIER_IN_USE: [
    'IMO or MMSI in use',
    'Another vessel holds a certificate with this IMO number or MMSI. Revoke it first if the vessel was renamed.',
  ],
  ERR_RATE_LIMITED: ['Too many requests', 'Wait a moment and try again.'],
  ERR_AUDIT_TAMPERED: 'fault',
  ERR_CA_STORE: 'fault',
  ERR_SERVICE_IDENTITY: 'fault',
  ERR_NOT_FOUND: 'fault',
  ERR_BODY_TOO_LARGE: 'fault',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'fault',
  ERR_BROKER_START: 'network',
  ERR_BROKER_ORPHAN: 'network',
  ERR_BROKER_CONTROL: 'network',
  // --- CA client --------------------------------------------------------------------------------------
  ERR_SERVER_UNTRUSTED: [
    'Certificate authority not recognised',
    'The server did not prove it belongs to the trusted certificate authority.',
  ],
  ERR_CA_PIN_MISMATCH: [
    'Certificate authority not recognised',
    'The certificate authority did not present the root fingerprint you entered. Check the fingerprint with your administrator.',
  ],
  ERR_CA_UNREACHABLE: [
    'Cannot reach the certificate authority',
    'Check the address and the network connection, then try again.',
  ],
  ERR_CA_RESPONSE: [
    'Unexpected answer',
    'The certificate authority answered in a way the console does not understand. Try again later.',
  ],
  // --- vessel -----------------------------------------------------------------------------------------
  ERR_CONFIG_INVALID: 'fault',
  ERR_NOT_ENROLLED: 'fault',
  ERR_HOOK_REJECTED: 'fault',
  ERR_STATE_STORE: 'fault',
  ERR_STATE_JOURNAL_DAMAGED: 'fault',
  ERR_RENEWAL_FAILED: 'fault',
  ERR_HANDOFF_REDIS: 'fault',
  ERR_RESPONSE_TOPIC_REFUSED: 'fault',
  ERR_VESSEL_LOCKED: 'fault',
  ERR_ALREADY_ENROLLED: 'fault',
  // --- console ----------------------------------------------------------------------------------------
  ERR_IPC_SENDER_FORBIDDEN: 'forbidden',
  ERR_IPC_CHANNEL_UNKNOWN: 'fault',
  ERR_IPC_PAYLOAD_INVALID: [
    'Invalid input',
    'Some of the entered values are not valid. Check the fields and try again.',
  ],
  ERR_KEYCHAIN_UNAVAILABLE: [
    'Keychain unavailable',
    'The operating system keychain cannot be used. Protect the key with a passphrase instead.',
  ],
  ERR_KEYCHAIN_ENTRY_MISSING: [
    'Key unlock data missing',
    'The keychain no longer holds the data needed to open your key. Import a backup or enroll again.',
  ],
  ERR_IDENTITY_MISSING: ['No identity yet', 'Enroll or import an identity first.'],
  ERR_IDENTITY_EXISTS: [
    'An identity is already stored',
    'Remove the current identity in Settings before enrolling another one.',
  ],
  ERR_IDENTITY_LOCKED: ['Passphrase needed', 'Enter your key passphrase to sign commands.'],
  ERR_IDENTITY_INVALID: ['Identity not usable', 'The key and the certificate do not belong together.'],
  ERR_IMPORT_INVALID: [
    'File not readable',
    'The identity file could not be read. Check the file and its passphrase.',
  ],
  ERR_IDENTITY_REVOKED: [
    'Your certificate was revoked',
    'The broker and the vessels refuse it and it cannot be renewed. Ask your administrator for a new enrollment token.',
  ],
  ERR_SETTINGS_MISSING: ['Setting missing', 'A required setting is missing. Check the Settings tab.'],
  ERR_BROKER_NOT_SET: ['No broker address', 'Enter the broker address in Settings, then connect.'],
  ERR_BROKER_CONNECT: [
    'Cannot connect to the broker',
    'Check the broker address and your certificate, then try again.',
  ],
  ERR_BROKER_REVOKED: [
    'Broker certificate revoked',
    "The broker presented a revoked certificate, so the console refused it. Ask the fleet's CA administrator.",
  ],
  ERR_NOT_CONNECTED: [
    'Not connected',
    'The console is not connected to the broker. Connect on the Connection tab.',
  ],
  ERR_VESSEL_UNKNOWN: ['Vessel not known', 'No verified state has been received from this vessel yet.'],
  ERR_VESSEL_REVOKED: [
    'Vessel revoked',
    "The vessel's certificate is revoked: its state is not trusted and commands to it are refused.",
  ],
  ERR_VESSEL_UNVERIFIED: [
    'Vessel state not verified',
    "The vessel's last state could not be verified. Commands are refused until a verified state arrives.",
  ],
  ERR_VESSEL_SILENT: [
    'Vessel state stale',
    'Nothing current has been heard from the vessel: its signed state expired. What is shown is its last verified state.',
  ],
  ERR_VESSEL_LINK_DOWN: [
    'Vessel link down',
    "The vessel's link to the broker is down (its signed Last Will). What is shown is its last verified state; a command sent now waits at the broker and may expire first.",
  ],
  ERR_COMMAND_EXPIRED: [
    'Command expired',
    'No verified acknowledgement arrived before the command expired: the vessel can no longer apply it.',
  ],
  ERR_STATE_ROLLBACK: [
    'Old vessel state refused',
    'A vessel state older than one already verified arrived and was refused. Someone may be replaying old messages.',
  ],
  ERR_FLEET_STORE: 'fault',
  ERR_COMMAND_TIMEOUT: [
    'No answer from the vessel',
    'No verified acknowledgement arrived in time. The command may or may not have been applied; check the vessel state.',
  ],
  ERR_ACK_UNVERIFIABLE: [
    'Answer could not be verified',
    'The vessel answered, but with a certificate the console has not verified yet, and no vessel state confirmed it in time. The command may or may not have been applied; check the vessel state.',
  ],
  ERR_CONSOLE_NOT_ADMIN: ['Administrator only', 'This needs an identity with the administrator role.'],
  ERR_BRIDGE_NON_LOOPBACK: 'fault',
  ERR_RENDERER_NOT_BUILT: 'fault',
  ERR_BRIDGE_DISCONNECTED: [
    'Console connection lost',
    'The page lost its connection to the Helmlink service. It reconnects by itself; try again in a moment.',
  ],
  ERR_BRIDGE_SESSION_ENDED: [
    'Console session ended',
    'This page was logged out or its session expired. Open a new console link to continue.',
  ],
  // --- cli --------------------------------------------------------------------------------------------
  ERR_TOOL_MISSING: 'fault',
} as const satisfies Record<ErrorCode, Topic | Words>;

/** Codes from outside the registry (Node's `ECONNREFUSED`, a newer peer's code) are judged by their name. */
const FOREIGN: Array<[RegExp, Topic]> = [
  [/(TIMEOUT|TIMED_OUT)/u, 'timeout'],
  [/(NETWORK|CONNECT|UNREACHABLE|ECONNREFUSED|ENOTFOUND|MQTT|BROKER)/u, 'network'],
  [/(FORBIDDEN|UNAUTHORI[SZ]ED|DENIED)/u, 'forbidden'],
];

/** The words for a code: its own or its topic's for a registered code, a guess from its name otherwise. */
function wordsFor(code: string | undefined): Words {
  if (code === undefined) return TOPICS.fault;
  if (isErrorCode(code)) {
    const words: Topic | Words = CODE_WORDS[code];
    return typeof words === 'string' ? TOPICS[words] : words;
  }
  return TOPICS[FOREIGN.find(([re]) => re.test(code))?.[1] ?? 'fault'];
}

function pick(err: unknown): { code?: string; message: string } {
  if (err && typeof err === 'object') {
    const o = err as { code?: unknown; message?: unknown; error?: unknown };
    if (o.error && typeof o.error === 'object' && !('message' in o && typeof o.message === 'string'))
      return pick(o.error);
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
  const detail = [
    code,
    technical && technical !== code ? technical : undefined,
    message && message !== technical ? message : undefined,
  ]
    .filter(Boolean)
    .join('\n');
  const [title, words] = wordsFor(code);
  return { title, message: words, ...(code ? { code } : {}), detail: detail || message };
}

/** Plain words for an ack rejection reason code sent by a vessel. */
export function describeReason(code: string | undefined): string {
  if (!code) return 'The vessel gave no reason.';
  const technical = describeError(code);
  return technical !== code ? `${technical}.` : wordsFor(code)[1];
}
