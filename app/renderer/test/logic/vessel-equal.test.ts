import { describe, expect, it } from 'vitest';
import type { PeerCertificateView } from '@helmlink/app-preload';
import { sameVessel } from '../../src/logic/vessel-equal';
import { stream, vessel } from '../support/test-api';

const catalog = () => [stream('misc', 1, true), stream('tgtd', 2, false)];
const signer = (fingerprint: string): PeerCertificateView => ({
  chain: [
    {
      subject: 'CN=v1',
      issuer: 'CN=ca',
      serial: '01',
      notBefore: 'a',
      notAfter: 'b',
      fingerprintSha256: fingerprint,
      keyAlgorithm: 'P-256',
      signatureAlgorithm: 'ES256',
      isCa: false,
      entityId: 'v1',
      roles: ['vessel'],
      pem: 'x'.repeat(2000),
    },
  ],
  verified: true,
  revocation: 'good',
  error: null,
  checkedAt: 't',
});

describe('sameVessel', () => {
  it('treats a fresh copy (as every pushed event carries) as the same', () => {
    const a = vessel('v1', catalog(), { signer: signer('aa') });
    expect(sameVessel(a, JSON.parse(JSON.stringify(a)))).toBe(true);
  });

  it('sees a switched stream, a new state time, another status or another signer', () => {
    const a = vessel('v1', catalog(), { signer: signer('aa') });
    expect(sameVessel(a, { ...a, streams: [stream('misc', 1, false), stream('tgtd', 2, false)] })).toBe(
      false,
    );
    expect(sameVessel(a, { ...a, stateReceivedAt: 'later' })).toBe(false);
    expect(sameVessel(a, { ...a, status: 'stale' })).toBe(false);
    expect(sameVessel(a, { ...a, signer: signer('bb') })).toBe(false);
    expect(sameVessel(a, { ...a, signer: { ...signer('aa'), revocation: 'revoked' } })).toBe(false);
  });
});
