/**
 * Coded errors. Every rejection of untrusted input is a {@link HelmlinkError} with a stable `code`;
 * callers branch on the code, never on the message. Caller bugs (wrong argument types, impossible
 * options) are plain `TypeError`s. The edges (CLI, HTTP, UI) map codes to exit codes, status codes and words.
 */

/** Stable error codes, grouped by concept. Append new codes inside the group that owns them. */
export const ERROR_CODES = {
  // --- generic input -------------------------------------------------------------------------------
  ERR_INPUT_INVALID: 'The input is not well-formed',
  ERR_ID_INVALID: 'An identifier is empty or contains a character not allowed in topics (+ # / or NUL)',

  // --- command specification (command/) -------------------------------------------------------------
  ERR_CMD_INVALID: 'The command does not match the command schema',
  ERR_CMD_VERSION_UNSUPPORTED: 'The command version is not supported',
  ERR_CMD_TYPE_UNSUPPORTED: 'The command type is not supported',
  ERR_STREAM_ADDRESS_INVALID: 'A stream address is not an IPv4 multicast group and port (group:port)',
  ERR_STREAM_UNKNOWN: 'A stream is not in the vessel catalog',
  ERR_STREAM_DUPLICATE: 'A stream is listed twice',
  ERR_STREAM_CONFLICT: 'A stream is listed both on and off',
  ERR_STREAM_MISSING: 'A catalog stream is missing: specify all ports',
  ERR_CATALOG_INVALID: 'The stream catalog is not valid',

  // --- JWS envelope (envelope/) ----------------------------------------------------------------------
  ERR_TOKEN_TOO_LARGE: 'The token exceeds the maximum size',
  ERR_TOKEN_MALFORMED: 'The token is not a well-formed compact JWS',
  ERR_JOSE_ALG_NOT_ALLOWED: 'The token algorithm is not in the allow-list',
  ERR_JOSE_HEADER_FORBIDDEN: 'The token header carries a parameter that is never trusted',
  ERR_JOSE_TYP_INVALID: 'The token type (typ) is not the expected one',
  ERR_JOSE_CRIT_UNSUPPORTED: 'The token header marks an unsupported extension as critical',
  ERR_JOSE_X5C_INVALID: 'The token x5c header is missing or malformed',
  ERR_SIGNATURE_INVALID: 'The token signature does not verify',
  ERR_CLAIM_MISSING: 'A required claim is missing',
  ERR_CLAIM_INVALID: 'A claim has an invalid value',
  ERR_ISS_MISMATCH: 'The issuer claim does not match the signer certificate',
  ERR_AUD_MISMATCH: 'The token is meant for another recipient',
  ERR_CMD_EXPIRED: 'The token has expired',
  ERR_CMD_NOT_YET_VALID: 'The token is not valid yet',
  ERR_CMD_IAT_IN_FUTURE: 'The token was issued in the future',
  ERR_CMD_LIFETIME_TOO_LONG: 'The token lifetime exceeds the maximum',
  ERR_ROLE_FORBIDDEN: 'The signer does not hold the role required for this token',
  ERR_ACK_MISMATCH: 'The acknowledgement does not answer this command',

  // --- replay (replay/) ------------------------------------------------------------------------------
  ERR_REPLAY: 'The token identifier (jti) was already seen',
  ERR_REPLAY_STORE: 'The replay store cannot be read or written',

  // --- X.509 path validation (pki/) -------------------------------------------------------------------
  ERR_CERT_MALFORMED: 'A certificate cannot be parsed',
  ERR_CERT_PROFILE: 'The certificate does not follow the Helmlink certificate profile',
  ERR_CHAIN_UNTRUSTED: 'No path leads from the certificate to a trust anchor',
  ERR_CHAIN_SIGNATURE: 'A certificate signature in the path does not verify',
  ERR_CHAIN_EXPIRED: 'A certificate in the path has expired',
  ERR_CHAIN_NOT_YET_VALID: 'A certificate in the path is not valid yet',
  ERR_CHAIN_REVOKED: 'A certificate in the path is revoked',
  ERR_CHAIN_BASIC_CONSTRAINTS: 'A certificate violates basic constraints',
  ERR_CHAIN_PATH_LENGTH: 'The path is longer than a CA allows',
  ERR_CHAIN_KEY_USAGE: 'A certificate lacks the required key usage',
  ERR_CHAIN_EKU: 'The certificate is not valid for the requested purpose',
  ERR_CHAIN_NAME_MISMATCH: 'Subject and issuer names do not chain',
  ERR_CHAIN_ALG_UNSUPPORTED: 'A signature or key algorithm is not accepted',
  ERR_CHAIN_CRITICAL_EXTENSION: 'A certificate carries an unknown critical extension',
  ERR_CHAIN_PROFILE: 'A certificate in the path breaks a requirement of the RFC 5280 certificate profile',
  ERR_CHAIN_NAME_CONSTRAINTS: 'A name in the path is outside the name constraints of a CA above it',
  ERR_CHAIN_TOO_COMPLEX: 'Path building gave up: the candidate certificates exceed its work budget',
  ERR_CRL_MALFORMED: 'A CRL cannot be parsed',
  ERR_CRL_INVALID: 'A CRL does not verify against its issuer',
  ERR_CRL_MISSING: 'No CRL is available for a certificate that must be checked',
  ERR_CRL_STALE: 'The CRL is past its nextUpdate and the grace period',
  ERR_CRL_CRITICAL_EXTENSION: 'A CRL or CRL entry carries an unknown critical extension',
  ERR_CRL_NOT_NEWER: 'The CRL is not newer than the one already held',
  ERR_CRL_PROFILE: 'A CRL breaks a requirement of the RFC 5280 CRL profile (v2, CRL number, criticality, one entry per serial)',

  // --- keys at rest ------------------------------------------------------------------------------------
  ERR_KEY_DECRYPT: 'The private key cannot be decrypted (wrong passphrase or damaged file)',
  ERR_KEY_UNSUPPORTED: 'The key type or algorithm is not supported',
  ERR_PASSPHRASE_REQUIRED: 'A non-empty passphrase is required',
  ERR_KEY_WEAK: 'The key is weaker than the key policy allows (RSA needs at least 3072 bits)',
  ERR_SIG_ALG_WEAK: 'The signature algorithm is refused (MD5 and SHA-1 are broken)',

  // --- CA server (ca-server/) --------------------------------------------------------------------------
  ERR_CA_NOT_INITIALIZED: 'The CA directory has not been initialised',
  ERR_CA_EXISTS: 'The CA directory is already initialised',
  ERR_CSR_INVALID: 'The certificate request cannot be parsed',
  ERR_CSR_SIGNATURE: 'The certificate request signature does not verify',
  ERR_CSR_SUBJECT_MISMATCH: 'The certificate request subject is not the enrolled entity',
  ERR_CSR_EXTENSION_FORBIDDEN: 'The certificate request asks for names or extensions beyond the profile',
  ERR_ENROLL_TOKEN_UNKNOWN: 'The enrollment token is unknown',
  ERR_ENROLL_TOKEN_USED: 'The enrollment token was already used',
  ERR_ENROLL_TOKEN_EXPIRED: 'The enrollment token has expired',
  ERR_CLIENT_CERT_REQUIRED: 'This endpoint needs a client certificate (mutual TLS)',
  ERR_CLIENT_CERT_INVALID: 'The client certificate is not valid, unknown or revoked',
  ERR_FORBIDDEN: 'The client identity lacks the role this endpoint needs',
  ERR_CERT_NOT_FOUND: 'No certificate has this serial number',
  ERR_REVOCATION_REASON_INVALID: 'The revocation reason is not an RFC 5280 code allowed here (0-6, 9, 10)',
  ERR_CERT_ALREADY_REVOKED: 'The certificate is already revoked',
  ERR_CERT_NOT_ON_HOLD: 'Only a certificate on hold (certificateHold) can be released',
  ERR_RATE_LIMITED: 'Too many requests: retry later',
  ERR_AUDIT_TAMPERED: 'The audit log hash chain is broken',
  ERR_NOT_FOUND: 'No such resource',
  ERR_BODY_TOO_LARGE: 'The request body is too large',
  ERR_INTERNAL: 'Internal error',
  ERR_SERVER_UNTRUSTED: 'The server certificate chain does not end at the pinned root',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'The request body must be application/json',
  // --- vessel listener (vessel/) ---------------------------------------------------------------------------
  ERR_CONFIG_INVALID: 'The vessel configuration file is not valid',
  ERR_NOT_ENROLLED: 'The vessel has no key and certificate yet: run helmlink vessel enroll',
  ERR_HOOK_REJECTED: 'The ship systems hook refused the new state (non-zero exit, timeout or not runnable)',
  ERR_STATE_STORE: 'The persisted vessel state cannot be read or written',
  ERR_RENEWAL_FAILED: 'The certificate renewal failed',
  ERR_CA_UNREACHABLE: 'The CA server cannot be reached or answered with an error',

  // --- operator console (app/) ----------------------------------------------------------------------------
  ERR_IPC_SENDER_FORBIDDEN: 'The request did not come from the console window or an authenticated bridge session',
  ERR_IPC_CHANNEL_UNKNOWN: 'No such console API channel',
  ERR_IPC_PAYLOAD_INVALID: 'The request does not match the channel schema',
  ERR_KEYCHAIN_UNAVAILABLE: 'No secure OS keychain is available: choose passphrase-only protection instead',
  ERR_KEYCHAIN_ENTRY_MISSING: 'The data key of the stored private key is missing from the OS keychain',
  ERR_IDENTITY_MISSING: 'No identity is enrolled yet',
  ERR_IDENTITY_EXISTS: 'An identity is already stored: remove it first',
  ERR_IDENTITY_LOCKED: 'Enter the passphrase to unlock the signing key',
  ERR_IDENTITY_INVALID: 'The key and certificate do not form a usable identity',
  ERR_IMPORT_INVALID: 'The identity file cannot be read',
  ERR_CA_PIN_MISMATCH: 'The CA does not present the pinned root certificate',
  ERR_CA_RESPONSE: 'The CA sent an unexpected response',
  ERR_SETTINGS_MISSING: 'A required setting is missing',
  ERR_BROKER_CONNECT: 'The broker connection failed',
  ERR_NOT_CONNECTED: 'Not connected to the broker',
  ERR_VESSEL_UNKNOWN: 'No verified state is known for this vessel',
  ERR_COMMAND_TIMEOUT: 'No verified acknowledgement arrived in time',
  ERR_CONSOLE_NOT_ADMIN: 'This needs an administrator identity',
  ERR_BRIDGE_NON_LOOPBACK: 'The web bridge only listens on a loopback address',
  ERR_BRIDGE_DISCONNECTED: 'The console page is not connected to the web bridge (reconnecting)',

  // --- demo topology and embedded broker (cli/src/demo, cli/src/broker) ------------------------------------
  ERR_PORT_IN_USE: 'A port the demo needs is already in use',
  ERR_TOOL_MISSING: 'A required program is not installed',
  ERR_BROKER_START: 'The MQTT broker did not start',
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES | (string & { __helmlinkExtension?: never });

export interface HelmlinkErrorOptions {
  cause?: unknown;
  /** Machine-readable details safe to show (never secrets). */
  details?: Record<string, unknown>;
}

/** The one error class for rejections of untrusted input. */
export class HelmlinkError extends Error {
  override readonly name = 'HelmlinkError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options: HelmlinkErrorOptions = {}) {
    super(message ?? (ERROR_CODES as Record<string, string>)[code] ?? code, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** A JSON form for logs and wire errors: code, message and details, never the stack. */
  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** True when `err` is a HelmlinkError, optionally with the given code. */
export function isHelmlinkError(err: unknown, code?: ErrorCode): err is HelmlinkError {
  return err instanceof HelmlinkError && (code === undefined || err.code === code);
}

/** The default English text for a code, for UIs and CLIs. */
export function describeError(code: string): string {
  return (ERROR_CODES as Record<string, string>)[code] ?? code;
}
