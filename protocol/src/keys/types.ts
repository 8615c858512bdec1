/**
 * Key specifications accepted by Helmlink (NIST SP 800-57: at least 128-bit security strength beyond 2030).
 * ECDSA P-256 is the default; P-384, Ed25519 and RSA with 3072 or 4096 bits are also accepted.
 */
export const KEY_SPECS = ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa-3072', 'rsa-4096'] as const;
export type KeySpec = (typeof KEY_SPECS)[number];

export const DEFAULT_KEY_SPEC: KeySpec = 'ecdsa-p256';

/** Object identifiers used by the key policy and the PKCS#8 codec. */
export const KEY_OIDS = {
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  ed25519: '1.3.101.112',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
} as const;

/** True when `value` names a supported key specification. */
export function isKeySpec(value: unknown): value is KeySpec {
  return typeof value === 'string' && (KEY_SPECS as readonly string[]).includes(value);
}
