import { describe, expect, it } from 'vitest';
import type { IssuedCertificateView } from '@helmlink/app-preload';
import { certRoles, revokeRisk } from '../../src/logic/revoke-risk';
import { identityStatus } from '../support/test-api';

const cert = (extra: Partial<IssuedCertificateView>): IssuedCertificateView => ({
  serial: '99',
  entityId: 'vessel-1',
  role: 'vessel',
  roles: ['vessel'],
  subject: 'CN=vessel-1',
  status: 'valid',
  notBefore: 'a',
  notAfter: 'b',
  revokedAt: null,
  reasonCode: null,
  reasonDescription: null,
  fingerprintSha256: null,
  ...extra,
});

describe('revoke risk', () => {
  const me = identityStatus({ entityId: 'pilot-7' });
  it('warns for one’s own certificate (by serial or by entity id)', () => {
    expect(revokeRisk(cert({ serial: '0A1B', entityId: 'x' }), me)).toBe('own');
    expect(revokeRisk(cert({ entityId: 'pilot-7', role: 'pilot', roles: ['pilot', 'admin'] }), me)).toBe(
      'own',
    );
  });
  it('warns for the CA and the broker, not for a vessel or another pilot', () => {
    expect(revokeRisk(cert({ entityId: 'ca', role: 'ca', roles: ['ca'] }), me)).toBe('infrastructure');
    expect(revokeRisk(cert({ entityId: 'broker', role: 'broker', roles: ['broker'] }), me)).toBe(
      'infrastructure',
    );
    expect(revokeRisk(cert({}), me)).toBeNull();
    expect(revokeRisk(cert({ entityId: 'pilot-8', role: 'pilot', roles: ['pilot'] }), me)).toBeNull();
  });
  it('lists every role, the single role when none are listed', () => {
    expect(certRoles(cert({ role: 'pilot', roles: ['pilot', 'admin'] }))).toEqual(['pilot', 'admin']);
    expect(certRoles(cert({ role: 'pilot', roles: [] }))).toEqual(['pilot']);
  });
});
