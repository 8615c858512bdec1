/** Enrollment: a locally generated key, a pinned CA, progress per step, and the refusals on the way. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EnrollProgressEvent } from '@helmlink/app-preload';
import { createOsKeychain } from '../../../src/services/vault/keychain';
import { useIdentityCa } from '../../helpers/identity-ca';
import { codeOf, tempDir, testServices } from '../../helpers/console';

const NOW = new Date('2026-11-22T02:00:00Z');
const PASS = 'bridge watch 4 ever';
const fx = useIdentityCa(NOW);

describe('enrollment wizard', () => {
  it('enrolls with a locally generated ES256 key, reports every step, and stores the key encrypted', async () => {
    fx.ca.tokens.set('token-anna-123', { entityId: 'pilot-anna', role: 'pilot' });
    const dir = tempDir();
    const s = await testServices(dir, NOW);
    const progress: EnrollProgressEvent[] = [];
    s.events.subscribe((e, p) => {
      if (e === 'identity.enrollProgress') progress.push(p as EnrollProgressEvent);
    });
    const status = await s.identity.enroll({
      caUrl: fx.ca.url,
      rootFingerprint: fx.rootFp.toUpperCase().match(/../gu)!.join(':'),
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
      fx.pki.issuing.certificate.subject,
      fx.pki.root.certificate.subject,
    ]);
    expect(status.rootFingerprint).toBe(fx.rootFp);
    expect(progress.filter((p) => p.status === 'done').map((p) => p.step)).toEqual([
      'check-ca',
      'generate-key',
      'create-csr',
      'request-certificate',
      'verify-certificate',
      'store-identity',
    ]);
    expect(s.settings.get()).toMatchObject({
      caUrl: fx.ca.url,
      rootFingerprint: fx.rootFp,
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

  it('writes the default scrypt cost when none is configured', async () => {
    fx.ca.tokens.set('token-cost', { entityId: 'pilot-cost', role: 'pilot' });
    const dir = tempDir();
    const s = await testServices(dir, NOW, { scrypt: undefined });
    await s.identity.enroll({
      caUrl: fx.ca.url,
      rootFingerprint: fx.rootFp,
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

describe('enrollment wizard refusals', () => {
  it('refuses a CA whose root does not match the pinned fingerprint, before sending the token', async () => {
    fx.ca.tokens.set('token-pin', { entityId: 'pilot-pin', role: 'pilot' });
    const dir = tempDir();
    const s = await testServices(dir, NOW);
    const failed: EnrollProgressEvent[] = [];
    s.events.subscribe((e, p) => {
      if (e === 'identity.enrollProgress' && (p as EnrollProgressEvent).status === 'failed')
        failed.push(p as EnrollProgressEvent);
    });
    const code = await codeOf(
      s.identity.enroll({
        caUrl: fx.ca.url,
        rootFingerprint: 'ab'.repeat(32),
        token: 'token-pin',
        entityId: 'pilot-pin',
        custody: 'passphrase',
        passphrase: PASS,
      }),
    );
    expect(code).toBe('ERR_CA_PIN_MISMATCH');
    expect(failed).toMatchObject([{ step: 'check-ca', error: { code: 'ERR_CA_PIN_MISMATCH' } }]);
    expect(fx.ca.tokens.has('token-pin')).toBe(true);
    expect(existsSync(join(dir, 'identity'))).toBe(false);
    expect(s.identity.status().state).toBe('none');
    await s.close();
  });

  it("passes the CA's refusal code through (unknown token)", async () => {
    const s = await testServices(tempDir(), NOW);
    const code = await codeOf(
      s.identity.enroll({
        caUrl: fx.ca.url,
        rootFingerprint: fx.rootFp,
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
    fx.ca.tokens.set('token-kc', { entityId: 'pilot-kc', role: 'pilot' });
    const code = await codeOf(
      s.identity.enroll({
        caUrl: fx.ca.url,
        rootFingerprint: fx.rootFp,
        token: 'token-kc',
        entityId: 'pilot-kc',
        custody: 'keychain',
      }),
    );
    expect(code).toBe('ERR_KEYCHAIN_UNAVAILABLE');
    await s.close();
  });
});
