import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTestPki, type TestEntity, type TestPki } from '@helmlink/protocol/testing';
import { certificateFingerprint, frozenClock, isHelmlinkError } from '@helmlink/protocol';
import type { EnrollProgressEvent } from '@helmlink/app-preload';
import { startTestCa, type TestCa } from '../../helpers/test-ca';
import { tempDir, testServices } from '../../helpers/console';
import { opensslEncryptedPem, opensslPkcs12 } from '../../helpers/openssl';
import { createOsKeychain } from '../../../src/services/vault/keychain';

const NOW = new Date('2026-11-22T02:00:00Z');
const PASS = 'bridge watch 4 ever';

let pki: TestPki;
let caEntity: TestEntity;
let ca: TestCa;
let rootFp: string;

beforeAll(async () => {
  pki = await createTestPki({ now: NOW });
  caEntity = await pki.issue('helmlink-ca', ['ca'], { ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
  ca = await startTestCa(pki, caEntity, frozenClock(NOW));
  rootFp = await certificateFingerprint(pki.root.certificate);
});
afterAll(async () => {
  await ca?.close();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isHelmlinkError(err)) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('enrollment wizard', () => {
  it('enrolls with a locally generated ES256 key, reports every step, and stores the key encrypted', async () => {
    ca.tokens.set('token-anna-123', { entityId: 'pilot-anna', role: 'pilot' });
    const dir = tempDir();
    const s = await testServices(dir, NOW);
    const progress: EnrollProgressEvent[] = [];
    s.events.subscribe((e, p) => {
      if (e === 'identity.enrollProgress') progress.push(p as EnrollProgressEvent);
    });
    const status = await s.identity.enroll({
      caUrl: ca.url,
      rootFingerprint: rootFp.toUpperCase().match(/../gu)!.join(':'),
      token: 'token-anna-123',
      entityId: 'pilot-anna',
      custody: 'passphrase',
      passphrase: PASS,
      brokerUrl: 'mqtts://127.0.0.1:8883',
    } as never);
    expect(status.state).toBe('ready');
    expect(status.entityId).toBe('pilot-anna');
    expect(status.roles).toEqual(['pilot']);
    expect(status.isAdmin).toBe(false);
    expect(status.certificate?.keyAlgorithm).toBe('ECDSA P-256');
    expect(status.chain.map((c) => c.subject)).toEqual([
      pki.issuing.certificate.subject,
      pki.root.certificate.subject,
    ]);
    expect(status.rootFingerprint).toBe(rootFp);
    expect(progress.filter((p) => p.status === 'done').map((p) => p.step)).toEqual([
      'check-ca',
      'generate-key',
      'create-csr',
      'request-certificate',
      'verify-certificate',
      'store-identity',
    ]);
    expect(s.settings.get()).toMatchObject({
      caUrl: ca.url,
      rootFingerprint: rootFp,
      brokerUrl: 'mqtts://127.0.0.1:8883',
    });
    const keyFile = join(dir, 'identity', 'key.json');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const sealed = JSON.parse(readFileSync(keyFile, 'utf8')) as Record<string, unknown>;
    expect(sealed).toMatchObject({ v: 1, custody: 'passphrase', kdf: { name: 'scrypt' } });
    expect(readFileSync(keyFile, 'utf8')).not.toContain('PRIVATE KEY');
    expect(s.audit.search({ kinds: ['identity.enrolled'] }).total).toBe(1);
    await s.close();

    // After a restart the key is locked until the passphrase is entered.
    const again = await testServices(dir, NOW);
    expect(again.identity.status().state).toBe('locked');
    expect(await codeOf(again.identity.signer())).toBe('ERR_IDENTITY_LOCKED');
    expect(await codeOf(again.identity.unlock('wrong passphrase'))).toBe('ERR_KEY_DECRYPT');
    expect((await again.identity.unlock(PASS)).state).toBe('ready');
    const signer = await again.identity.signer();
    expect(signer.alg).toBe('ES256');
    expect(signer.entityId).toBe('pilot-anna');
    expect(again.identity.lock().state).toBe('locked');
    await again.close();
  });

  it('refuses a CA whose root does not match the pinned fingerprint, before sending the token', async () => {
    ca.tokens.set('token-pin', { entityId: 'pilot-pin', role: 'pilot' });
    const dir = tempDir();
    const s = await testServices(dir, NOW);
    const failed: EnrollProgressEvent[] = [];
    s.events.subscribe((e, p) => {
      if (e === 'identity.enrollProgress' && (p as EnrollProgressEvent).status === 'failed')
        failed.push(p as EnrollProgressEvent);
    });
    const code = await codeOf(
      s.identity.enroll({
        caUrl: ca.url,
        rootFingerprint: 'ab'.repeat(32),
        token: 'token-pin',
        entityId: 'pilot-pin',
        custody: 'passphrase',
        passphrase: PASS,
      }),
    );
    expect(code).toBe('ERR_CA_PIN_MISMATCH');
    expect(failed).toMatchObject([{ step: 'check-ca', error: { code: 'ERR_CA_PIN_MISMATCH' } }]);
    expect(ca.tokens.has('token-pin')).toBe(true);
    expect(existsSync(join(dir, 'identity'))).toBe(false);
    expect(s.identity.status().state).toBe('none');
    await s.close();
  });

  it("passes the CA's refusal code through (unknown token)", async () => {
    const s = await testServices(tempDir(), NOW);
    const code = await codeOf(
      s.identity.enroll({
        caUrl: ca.url,
        rootFingerprint: rootFp,
        token: 'no-such-token',
        entityId: 'pilot-x',
        custody: 'passphrase',
        passphrase: PASS,
      }),
    );
    expect(code).toBe('ERR_ENROLL_TOKEN_UNKNOWN');
    await s.close();
  });

  it('refuses keychain custody when no secure keychain is reachable, saying why', async () => {
    const keychain = createOsKeychain({ platform: 'linux', env: {} });
    const s = await testServices(tempDir(), NOW, { keychain });
    const options = await s.identity.custodyOptions();
    expect(options.keychain.available).toBe(false);
    expect(options.keychain.reason).toMatch(/D-Bus session bus/u);
    expect(options.passphraseOnly).toBe(true);
    ca.tokens.set('token-kc', { entityId: 'pilot-kc', role: 'pilot' });
    const code = await codeOf(
      s.identity.enroll({
        caUrl: ca.url,
        rootFingerprint: rootFp,
        token: 'token-kc',
        entityId: 'pilot-kc',
        custody: 'keychain',
      }),
    );
    expect(code).toBe('ERR_KEYCHAIN_UNAVAILABLE');
    await s.close();
  });

  it('writes the default scrypt cost when none is configured', async () => {
    ca.tokens.set('token-cost', { entityId: 'pilot-cost', role: 'pilot' });
    const dir = tempDir();
    const s = await testServices(dir, NOW, { scrypt: undefined });
    await s.identity.enroll({
      caUrl: ca.url,
      rootFingerprint: rootFp,
      token: 'token-cost',
      entityId: 'pilot-cost',
      custody: 'passphrase',
      passphrase: PASS,
    });
    const sealed = JSON.parse(readFileSync(join(dir, 'identity', 'key.json'), 'utf8')) as {
      kdf: { N: number; r: number; p: number };
    };
    expect(sealed.kdf).toMatchObject({ N: 65536, r: 8, p: 1 });
    await s.close();
  });
});

describe('renewal', () => {
  it('renews over mutual TLS with a new key at 2/3 of the lifetime, and the passphrase still opens it', async () => {
    ca.tokens.set('token-renew', { entityId: 'pilot-renew', role: 'pilot' });
    const dir = tempDir();
    const s = await testServices(dir, NOW);
    await s.identity.enroll({
      caUrl: ca.url,
      rootFingerprint: rootFp,
      token: 'token-renew',
      entityId: 'pilot-renew',
      custody: 'passphrase',
      passphrase: PASS,
    });
    const first = s.identity.status();
    const due = s.identity.renewalDueAt()!;
    const leaf = first.certificate!;
    const lifetime = Date.parse(leaf.notAfter) - Date.parse(leaf.notBefore);
    expect(due.getTime()).toBe(Date.parse(leaf.notBefore) + Math.floor((lifetime * 2) / 3));
    expect(first.renewal.dueAt).toBe(due.toISOString());
    expect(await s.identity.renewIfDue()).toBe(false);

    s.clock.set(new Date(due.getTime() + 1000));
    expect(await s.identity.renewIfDue()).toBe(true);
    const renewed = s.identity.status();
    expect(renewed.certificate!.serial).not.toBe(leaf.serial);
    expect(renewed.certificate!.fingerprintSha256).not.toBe(leaf.fingerprintSha256);
    expect(renewed.renewal).toMatchObject({
      state: expect.stringMatching(/idle|scheduled/u),
      lastError: null,
    });
    expect(renewed.renewal.lastRenewedAt).toBe(new Date(s.clock()).toISOString());
    expect(s.audit.search({ kinds: ['identity.renewed'] }).total).toBe(1);
    await s.close();

    const again = await testServices(dir, new Date(s.clock()));
    await again.identity.unlock(PASS);
    expect(again.identity.status().certificate!.serial).toBe(renewed.certificate!.serial);
    await again.close();
  });

  it('records a failed renewal (revoked certificate) and keeps the current identity', async () => {
    ca.tokens.set('token-rev', { entityId: 'pilot-rev', role: 'pilot' });
    const s = await testServices(tempDir(), NOW);
    await s.identity.enroll({
      caUrl: ca.url,
      rootFingerprint: rootFp,
      token: 'token-rev',
      entityId: 'pilot-rev',
      custody: 'passphrase',
      passphrase: PASS,
    });
    const rec = ca.issued.find((r) => r.entityId === 'pilot-rev')!;
    rec.status = 'revoked';
    expect(await codeOf(s.identity.renew())).toBe('ERR_CLIENT_CERT_REQUIRED');
    const st = s.identity.status();
    expect(st.state).toBe('ready');
    expect(st.renewal).toMatchObject({ state: 'failed', lastError: { code: 'ERR_CLIENT_CERT_REQUIRED' } });
    await s.close();
  });
});

describe('import of an existing identity', () => {
  it('imports an OpenSSL passphrase-protected PKCS#8 PEM with its chain', async () => {
    const dir = tempDir();
    const entity = await pki.issue('pilot-pem', ['pilot']);
    const files = await opensslEncryptedPem(dir, entity, pki, 'file secret');
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
      rootFingerprint: rootFp,
    });
    expect(s.settings.get().rootFingerprint).toBe(rootFp);
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
    const a = await pki.issue('pilot-a', ['pilot']);
    const b = await pki.issue('pilot-b', ['pilot']);
    const fa = await opensslEncryptedPem(dir, a, pki, 'x');
    const fb = await opensslEncryptedPem(dir, b, pki, 'x');
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
      const entity = await pki.issue(legacy ? 'admin-legacy' : 'admin-modern', ['admin']);
      const fileBase64 = await opensslPkcs12(dir, entity, pki, 'p12 pass', legacy);
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

  it('removes the identity and its files', async () => {
    const dir = tempDir();
    const entity = await pki.issue('pilot-rm', ['pilot']);
    const files = await opensslEncryptedPem(dir, entity, pki, 'x');
    const s = await testServices(join(dir, 'data'), NOW);
    await s.identity.import({
      format: 'pem',
      ...files,
      filePassphrase: 'x',
      custody: 'passphrase',
      passphrase: PASS,
    });
    expect((await s.identity.remove()).state).toBe('none');
    expect(existsSync(join(dir, 'data', 'identity'))).toBe(false);
    expect(await codeOf(s.identity.signer())).toBe('ERR_IDENTITY_MISSING');
    await s.close();
  });
});
