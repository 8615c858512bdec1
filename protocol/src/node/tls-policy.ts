/**
 * The TLS policy of Helmlink's servers (the CA's HTTPS and the generated Mosquitto listener): AEAD only. TLS 1.3 is
 * preferred (every suite it defines for us is AEAD); TLS 1.2 only with ECDHE key exchange and AES-GCM or
 * ChaCha20-Poly1305, so no CBC mode, no SHA-1 MAC and no static-RSA key exchange.
 */

/** TLS 1.2 suites (OpenSSL names), strongest first: ECDHE with AES-GCM or ChaCha20-Poly1305, ECDSA and RSA keys. */
export const TLS12_AEAD_CIPHERS: readonly string[] = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
];

/** TLS 1.3 suites (IANA names). */
export const TLS13_CIPHERSUITES: readonly string[] = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
];

/**
 * The `ciphers` option of Node's TLS servers: the TLS 1.3 suites, then the TLS 1.2 AEAD suites (Node takes both from
 * one list; with `honorCipherOrder` the server's order wins).
 */
export const NODE_TLS_CIPHERS = [...TLS13_CIPHERSUITES, ...TLS12_AEAD_CIPHERS].join(':');
