import { beforeEach, describe, expect, it } from 'vitest';
import type { IssuedCertificateView } from '@helmlink/app-preload';
import { bindApi } from '../../src/api/current';
import {
  applyAlert,
  closeRevoke,
  createToken,
  dismissToken,
  loadAlerts,
  openRevoke,
  pkiStore,
  releaseHold,
  revokeCertificate,
  setCertFilter,
} from '../../src/stores/pki';
import { createTestApi, type TestApi } from '../support/test-api';

let t: TestApi;
const cert = (serial: string, status: IssuedCertificateView['status'] = 'valid'): IssuedCertificateView => ({
  serial,
  entityId: `pilot-${serial}`,
  role: 'pilot',
  roles: ['pilot'],
  subject: `CN=pilot-${serial}`,
  status,
  notBefore: '2026-11-01T00:00:00.000Z',
  notAfter: '2026-12-01T00:00:00.000Z',
  revokedAt: null,
  reasonCode: null,
  reasonDescription: null,
  fingerprintSha256: null,
});

beforeEach(() => {
  t = createTestApi();
  bindApi(t.api);
  pkiStore.setState(pkiStore.getInitialState(), true);
  t.ok('pki.crl', {
    issuer: 'CN=CA',
    crlNumber: '2',
    thisUpdate: '',
    nextUpdate: null,
    entries: [],
    fetchedAt: '',
  });
});

describe('pki store', () => {
  it('sends only the filters that are set', async () => {
    t.ok('pki.certs', [cert('0a')]);
    await setCertFilter({ role: 'vessel', expiringWithinDays: 30 });
    expect(t.calls.at(-1)).toEqual({
      channel: 'pki.certs',
      request: { role: 'vessel', expiringWithinDays: 30 },
    });
    await setCertFilter({ role: null, expiringWithinDays: null, status: 'on_hold' });
    expect(t.calls.at(-1)).toEqual({ channel: 'pki.certs', request: { status: 'on_hold' } });
    expect(pkiStore.getState().certs).toHaveLength(1);
  });

  it('revokes with an RFC 5280 reason and description, updates the row and refreshes the CRL', async () => {
    pkiStore.setState({ certs: [cert('0a'), cert('0b')] });
    openRevoke(cert('0b'));
    t.handle('pki.revoke', (req) => ({
      ok: true,
      value: { ...cert('0b', 'revoked'), reasonCode: (req as { reasonCode: number }).reasonCode },
    }));
    expect(await revokeCertificate(1, '  laptop stolen ')).toBe(true);
    expect(t.calls.find((c) => c.channel === 'pki.revoke')?.request).toEqual({
      serial: '0b',
      reasonCode: 1,
      description: 'laptop stolen',
    });
    expect(pkiStore.getState().certs.map((c) => c.status)).toEqual(['valid', 'revoked']);
    expect(pkiStore.getState().revoking).toBeNull();
    expect(t.calls.some((c) => c.channel === 'pki.crl')).toBe(true);
  });

  it('keeps the dialog open with the error when revocation fails', async () => {
    openRevoke(cert('0a'));
    t.fail('pki.revoke', 'ERR_CONSOLE_NOT_ADMIN', 'not an admin');
    expect(await revokeCertificate(0)).toBe(false);
    expect(pkiStore.getState().revoking?.serial).toBe('0a');
    expect(pkiStore.getState().error?.code).toBe('ERR_CONSOLE_NOT_ADMIN');
    closeRevoke();
    expect(pkiStore.getState().revoking).toBeNull();
    expect(await revokeCertificate(0)).toBe(false);
  });

  it('releases a hold', async () => {
    pkiStore.setState({ certs: [cert('0c', 'on_hold')] });
    t.ok('pki.release', cert('0c', 'valid'));
    expect(await releaseHold('0c')).toBe(true);
    expect(pkiStore.getState().certs[0]?.status).toBe('valid');
  });

  it('holds a created token only until dismissed', async () => {
    t.ok('pki.createToken', {
      token: 'one-time-secret',
      entityId: 'pilot-9',
      role: 'pilot',
      expiresAt: '2026-11-22T03:00:00.000Z',
    });
    const tok = await createToken({ entityId: 'pilot-9', role: 'pilot', ttlMinutes: 60 });
    expect(tok?.token).toBe('one-time-secret');
    expect(pkiStore.getState().token?.token).toBe('one-time-secret');
    dismissToken();
    expect(pkiStore.getState().token).toBeNull();
  });

  it('keeps alerts newest first without duplicates', async () => {
    t.ok('pki.alerts', [
      { id: '1', at: '2026-11-22T01:00:00.000Z', kind: 'k', severity: 'info', message: 'old', details: {} },
      {
        id: '2',
        at: '2026-11-22T02:00:00.000Z',
        kind: 'k',
        severity: 'warning',
        message: 'new',
        details: {},
      },
    ]);
    await loadAlerts();
    expect(pkiStore.getState().alerts.map((a) => a.id)).toEqual(['2', '1']);
    applyAlert({
      id: '1',
      at: '2026-11-22T03:00:00.000Z',
      kind: 'k',
      severity: 'critical',
      message: 'again',
      details: {},
    });
    expect(pkiStore.getState().alerts.map((a) => a.id)).toEqual(['1', '2']);
  });
});
