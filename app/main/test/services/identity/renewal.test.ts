/** Renewal over mutual TLS at 2/3 of the lifetime, and a failed renewal. */
import { describe, expect, it } from 'vitest';
import { useIdentityCa } from '../../helpers/identity-ca';
import { codeOf, tempDir, testServices } from '../../helpers/console';

const NOW = new Date('2026-11-22T02:00:00Z');
const PASS = 'bridge watch 4 ever';
const fx = useIdentityCa(NOW);

describe('renewal', () => {
  it('renews over mutual TLS with a new key at 2/3 of the lifetime, and the passphrase still opens it', async () => {
    fx.ca.tokens.set('token-renew', { entityId: 'pilot-renew', role: 'pilot' });
    const dir = tempDir();
    const s = await testServices(dir, NOW);
    await s.identity.enroll({
      caUrl: fx.ca.url,
      rootFingerprint: fx.rootFp,
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
    fx.ca.tokens.set('token-rev', { entityId: 'pilot-rev', role: 'pilot' });
    const s = await testServices(tempDir(), NOW);
    await s.identity.enroll({
      caUrl: fx.ca.url,
      rootFingerprint: fx.rootFp,
      token: 'token-rev',
      entityId: 'pilot-rev',
      custody: 'passphrase',
      passphrase: PASS,
    });
    const rec = fx.ca.issued.find((r) => r.entityId === 'pilot-rev')!;
    rec.status = 'revoked';
    expect(await codeOf(s.identity.renew())).toBe('ERR_CLIENT_CERT_REQUIRED');
    const st = s.identity.status();
    expect(st.state).toBe('ready');
    expect(st.renewal).toMatchObject({ state: 'failed', lastError: { code: 'ERR_CLIENT_CERT_REQUIRED' } });
    await s.close();
  });
});
