/** Error codes owned by `@helmlink/ca-server` (authority, HTTP routes, store, broker material, CA CLI). */
export const CA_SERVER_ERRORS = {
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
  ERR_KEY_IN_USE: 'This public key is already certified for another entity',
  ERR_KEY_COMPROMISED: 'This public key was revoked for key compromise and is never certified again',
  ERR_IDENTIFIER_IN_USE: 'This IMO number or MMSI is already certified for another entity',
  ERR_REVOCATION_GUARDED:
    "Revoking the CA's service certificate or a broker's certificate needs force and a replacement plan",
  ERR_REPLACEMENT_INVALID: 'The replacement plan of a forced revocation is not usable',
  ERR_LAST_ADMIN: 'The last admin certificate cannot be revoked: enroll another admin first',
  ERR_SERVICE_IDENTITY: 'The CA could not keep a valid service certificate and stopped',
  ERR_RATE_LIMITED: 'Too many requests: retry later',
  ERR_AUDIT_TAMPERED: 'The audit log hash chain is broken',
  ERR_CA_STORE: "The CA's database could not be made durable: writes are refused until the CA is restarted",
  ERR_NOT_FOUND: 'No such resource',
  ERR_BODY_TOO_LARGE: 'The request body is too large',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'The request body must be application/json',
  ERR_BROKER_START: 'The MQTT broker did not start',
  ERR_BROKER_ORPHAN:
    'A broker not started by this CA holds the broker port or pid file: stop it, or let the CA take it over',
  ERR_BROKER_CONTROL: "The broker's dynamic-security plugin refused a command or did not answer",
} as const;

/** A code `@helmlink/ca-server` throws (besides the protocol's). */
export type CaServerErrorCode = keyof typeof CA_SERVER_ERRORS;
