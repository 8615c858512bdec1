/** Import of an existing identity: OpenSSL encrypted PEM and PKCS#12, and a key that fits no certificate. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { opensslEncryptedPem, opensslPkcs12 } from '../../helpers/openssl';
import { useIdentityCa } from '../../helpers/identity-ca';
import { codeOf, tempDir, testServices } from '../../helpers/console';

const NOW = new Date('2026-11-22T02:00:00Z');
const PASS = 'bridge watch 4 ever';
const fx = useIdentityCa(NOW);

describe('import of an existing identity', () => {
  it('imports an OpenSSL passphrase-protected PKCS#8 PEM with its chain', async () => {
    const dir = tempDir();
    const entity = await fx.pki.issue('pilot-pem', ['pilot']);
    const files = await opensslEncryptedPem(dir, entity, fx.pki, 'file secret');
    const s = await testServices(join(dir, 'data'), NOW);
    expect(
      await codeOf(
        s.identity.import({
          format: 'pem',
          ...files,
          filePassphrase: 'not it',
          custody: 'passphrase',
          passphrase: PASS,
        }),
      ),
    ).toBe('ERR_KEY_DECRYPT');
    const status = await s.identity.import({
      format: 'pem',
      ...files,
      filePassphrase: 'file secret',
      custody: 'passphrase',
      passphrase: PASS,
    });
    expect(status).toMatchObject({
      state: 'ready',
      entityId: 'pilot-pem',
      custody: 'passphrase',
      rootFingerprint: fx.rootFp,
    });
    expect(s.settings.get().rootFingerprint).toBe(fx.rootFp);
    expect(s.audit.search({ kinds: ['identity.imported'] }).total).toBe(1);
    expect(
      await codeOf(
        s.identity.import({
          format: 'pem',
          ...files,
          filePassphrase: 'file secret',
          custody: 'passphrase',
          passphrase: PASS,
        }),
      ),
    ).toBe('ERR_IDENTITY_EXISTS');
    await s.close();
  });

  it('refuses a key that does not belong to any certificate of the chain', async () => {
    const dir = tempDir();
    const a = await fx.pki.issue('pilot-a', ['pilot']);
    const b = await fx.pki.issue('pilot-b', ['pilot']);
    const fa = await opensslEncryptedPem(dir, a, fx.pki, 'x');
    const fb = await opensslEncryptedPem(dir, b, fx.pki, 'x');
    const s = await testServices(join(dir, 'data'), NOW);
    const code = await codeOf(
      s.identity.import({
        format: 'pem',
        keyPem: fa.keyPem,
        chainPem: fb.chainPem,
        filePassphrase: 'x',
        custody: 'passphrase',
        passphrase: PASS,
      }),
    );
    expect(code).toBe('ERR_IDENTITY_INVALID');
    await s.close();
  });

  it('imports PKCS#12 files from OpenSSL 3 (AES) and the legacy 3DES/SHA-1 profile', async () => {
    for (const legacy of [false, true]) {
      const dir = tempDir();
      const entity = await fx.pki.issue(legacy ? 'admin-legacy' : 'admin-modern', ['admin']);
      const fileBase64 = await opensslPkcs12(dir, entity, fx.pki, 'p12 pass', legacy);
      const s = await testServices(join(dir, 'data'), NOW);
      expect(
        await codeOf(
          s.identity.import({
            format: 'pkcs12',
            fileBase64,
            filePassphrase: 'wrong',
            custody: 'passphrase',
            passphrase: PASS,
          }),
        ),
      ).toBe('ERR_KEY_DECRYPT');
      const status = await s.identity.import({
        format: 'pkcs12',
        fileBase64,
        filePassphrase: 'p12 pass',
        custody: 'passphrase',
        passphrase: PASS,
      });
      expect(status).toMatchObject({ state: 'ready', entityId: entity.entityId, isAdmin: true });
      await s.close();
    }
  });
});
