import { beforeEach, describe, expect, it } from 'vitest';
import { ENROLL_STEPS } from '@helmlink/app-preload';
import { bindApi } from '../../src/api/current';
import {
  applyEnrollProgress,
  enroll,
  identityStore,
  isAdmin,
  loadIdentity,
  renewIdentity,
  unlockIdentity,
} from '../../src/stores/identity';
import { createTestApi, identityStatus, type TestApi } from '../support/test-api';

let t: TestApi;
const request = {
  caUrl: 'https://ca.example.org',
  rootFingerprint: 'ab'.repeat(32),
  token: 'token-123456',
  entityId: 'pilot-7',
  custody: 'keychain' as const,
};

beforeEach(() => {
  t = createTestApi();
  bindApi(t.api);
  identityStore.setState(identityStore.getInitialState(), true);
});

describe('identity store', () => {
  it('loads the status and custody options', async () => {
    t.ok('identity.status', identityStatus({ state: 'none' }));
    t.ok('identity.custodyOptions', {
      keychain: { available: false, backend: null, reason: 'no session bus' },
      passphraseOnly: true,
    });
    await loadIdentity();
    expect(identityStore.getState().status?.state).toBe('none');
    expect(identityStore.getState().custody?.keychain.reason).toBe('no session bus');
    expect(identityStore.getState().loading).toBe(false);
  });

  it('tracks enrollment progress step by step and ends ready', async () => {
    let release!: () => void;
    t.handle(
      'identity.enroll',
      () => new Promise((resolve) => (release = () => resolve({ ok: true, value: identityStatus() }))),
    );
    const done = enroll(request);
    expect(identityStore.getState().busy).toBe('enroll');
    applyEnrollProgress({
      step: 'generate-key',
      status: 'running',
      index: 1,
      total: ENROLL_STEPS.length,
      at: '',
      error: null,
    });
    const p = identityStore.getState().progress;
    expect(p['check-ca']).toBe('done');
    expect(p['generate-key']).toBe('running');
    expect(p['store-identity']).toBe('waiting');
    release();
    expect(await done).toBe(true);
    expect(identityStore.getState().status?.state).toBe('ready');
    expect(identityStore.getState().busy).toBeNull();
  });

  it('shows a failed step and the error in words', async () => {
    t.handle('identity.enroll', () => {
      applyEnrollProgress({
        step: 'check-ca',
        status: 'failed',
        index: 0,
        total: ENROLL_STEPS.length,
        at: '',
        error: { code: 'ERR_CA_PIN_MISMATCH', message: 'root differs' },
      });
      return { ok: false, error: { code: 'ERR_CA_PIN_MISMATCH', message: 'root differs' } };
    });
    expect(await enroll(request)).toBe(false);
    expect(identityStore.getState().progress['check-ca']).toBe('failed');
    expect(identityStore.getState().error?.code).toBe('ERR_CA_PIN_MISMATCH');
    expect(identityStore.getState().error?.title).toBe('Certificate authority not recognised');
  });

  it('refuses a second operation while one runs', async () => {
    let release!: () => void;
    t.handle(
      'identity.renew',
      () => new Promise((resolve) => (release = () => resolve({ ok: true, value: identityStatus() }))),
    );
    const first = renewIdentity();
    expect(await unlockIdentity('secret-pass')).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(t.calls.filter((c) => c.channel === 'identity.unlock')).toHaveLength(0);
  });

  it('passes the passphrase only to unlock', async () => {
    t.ok('identity.unlock', identityStatus({ unlocked: true, passphraseRequired: true }));
    expect(await unlockIdentity('secret-pass')).toBe(true);
    expect(t.calls.at(-1)).toEqual({ channel: 'identity.unlock', request: { passphrase: 'secret-pass' } });
  });

  it('keeps a refused passphrase for the unlock card (not the screen-wide error) and clears it on success', async () => {
    t.fail('identity.unlock', 'ERR_KEY_DECRYPT');
    expect(await unlockIdentity('wrong')).toBe(false);
    expect(identityStore.getState().unlockError?.code).toBe('ERR_KEY_DECRYPT');
    expect(identityStore.getState().error).toBeNull();
    t.ok('identity.unlock', identityStatus({ unlocked: true, passphraseRequired: true }));
    expect(await unlockIdentity('right')).toBe(true);
    expect(identityStore.getState().unlockError).toBeNull();
  });

  it('shows the PKI tab only to admins with a usable identity', () => {
    expect(isAdmin(identityStatus())).toBe(false);
    expect(isAdmin(identityStatus({ roles: ['admin'], isAdmin: true }))).toBe(true);
    expect(isAdmin(identityStatus({ roles: ['admin'], isAdmin: true, state: 'expired' }))).toBe(false);
    expect(isAdmin(null)).toBe(false);
  });
});
