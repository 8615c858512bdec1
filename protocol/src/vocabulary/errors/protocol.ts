/**
 * Error codes owned by `@helmlink/protocol`: generic input, the command specification, the JWS envelope, the replay
 * cache, X.509 path validation, the MQTT session and keys. Append a new code inside the group that owns it.
 */
export const PROTOCOL_ERRORS = {
  // --- generic ---------------------------------------------------------------------------------------------
  ERR_INPUT_INVALID: 'The input is not well-formed',
  ERR_ID_INVALID:
    'An identifier is not valid (an entity id is 1-64 letters, digits, ".", "_" or "-"; no topic level holds + # / or NUL)',
  ERR_INTERNAL: 'Internal error',
  ERR_PORT_IN_USE: 'A port the service needs is already in use',

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
  ERR_JOSE_X5T_INVALID: 'The token x5t#S256 header is not a base64url SHA-256 thumbprint',
  ERR_JOSE_X5T_UNKNOWN:
    'The token names its signer by a certificate thumbprint (x5t#S256) this verifier has not validated',
  ERR_JOSE_SIGNER_AMBIGUOUS: 'The token names its signer twice (both x5c and x5t#S256)',
  ERR_JOSE_SIGNER_MISSING: 'The token names no signer certificate (neither x5c nor x5t#S256)',
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
  ERR_CRL_PROFILE: 'A CRL breaks the RFC 5280 CRL profile (v2, CRL number, criticality, unique serials)',

  // --- the MQTT session (mqtt/) ---------------------------------------------------------------------------------
  ERR_NOT_CONNECTED: 'Not connected to the broker',
  ERR_BROKER_REVOKED: "The broker's certificate is revoked: the connection was refused",

  // --- keys at rest (keys/) ------------------------------------------------------------------------------
  ERR_KEY_DECRYPT: 'The private key cannot be decrypted (wrong passphrase or damaged file)',
  ERR_KEY_UNSUPPORTED: 'The key type or algorithm is not supported',
  ERR_PASSPHRASE_REQUIRED: 'A non-empty passphrase is required',
  ERR_KEY_WEAK: 'The key is weaker than the key policy allows (RSA needs at least 3072 bits)',
  ERR_SIG_ALG_WEAK: 'The signature algorithm is refused (MD5 and SHA-1 are broken)',
} as const;

/** A code `@helmlink/protocol` throws. */
export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;
