/** Error codes owned by the CA client (pinned HTTPS to the CA), used by the vessel, the console and tools. */
export const CA_CLIENT_ERRORS = {
  ERR_SERVER_UNTRUSTED: 'The server certificate chain does not end at the pinned root',
  ERR_CA_PIN_MISMATCH: 'The CA does not present the pinned root certificate',
  ERR_CA_UNREACHABLE: 'The CA server cannot be reached or answered with an error',
  ERR_CA_RESPONSE: 'The CA sent an unexpected response',
} as const;

/** A code the CA client throws (besides the CA's own, which it passes on). */
export type CaClientErrorCode = keyof typeof CA_CLIENT_ERRORS;
