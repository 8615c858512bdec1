/** The identity requests of the contract: passphrase-only custody needs the passphrase; unknown fields are refused. */
import { describe, expect, it } from 'vitest';
import { enrollRequestSchema, importRequestSchema } from '../../src/contract/identity';

const enroll = {
  caUrl: 'https://ca.example.org:9443',
  rootFingerprint: 'AB:'.repeat(31) + 'AB',
  token: 'token-12345678',
  entityId: 'pilot-7',
};
const pem = { format: 'pem', keyPem: 'k'.repeat(32), chainPem: 'c'.repeat(32), filePassphrase: 'x' } as const;
const pkcs12 = { format: 'pkcs12', fileBase64: 'AAAA', filePassphrase: 'x' } as const;

describe('identity requests', () => {
  it('need the passphrase for passphrase-only custody, not for the keychain', () => {
    for (const [schema, base] of [
      [enrollRequestSchema, enroll],
      [importRequestSchema, pem],
      [importRequestSchema, pkcs12],
    ] as const) {
      const missing = schema.safeParse({ ...base, custody: 'passphrase' });
      expect(missing.success).toBe(false);
      expect(missing.error?.issues).toMatchObject([
        { path: ['passphrase'], message: 'a passphrase is required for passphrase-only custody' },
      ]);
      expect(schema.safeParse({ ...base, custody: 'passphrase', passphrase: 'long enough' }).success).toBe(
        true,
      );
      expect(schema.safeParse({ ...base, custody: 'keychain' }).success).toBe(true);
    }
  });

  it('refuse unknown fields and normalise the fingerprint', () => {
    expect(importRequestSchema.safeParse({ ...pem, custody: 'keychain', extra: 1 }).success).toBe(false);
    expect(enrollRequestSchema.parse({ ...enroll, custody: 'keychain' }).rootFingerprint).toBe(
      'ab'.repeat(32),
    );
  });
});
