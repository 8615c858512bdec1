import { describe, expect, it } from 'vitest';
import { ApiError } from '@helmlink/app-preload';
import { describeReason, friendlyError } from '../../src/logic/errors';

describe('friendlyError', () => {
  it('puts plain words first and keeps the code and technical text in the detail', () => {
    const e = friendlyError(new ApiError({ code: 'ERR_CHAIN_REVOKED', message: 'leaf serial 0a revoked' }));
    expect(e.title).toBe('Certificate revoked');
    expect(e.message).not.toMatch(/ERR_/u);
    expect(e.code).toBe('ERR_CHAIN_REVOKED');
    expect(e.detail).toContain('ERR_CHAIN_REVOKED');
    expect(e.detail).toContain('A certificate in the path is revoked');
    expect(e.detail).toContain('leaf serial 0a revoked');
  });
  it('reads wire error objects and results', () => {
    expect(friendlyError({ ok: false, error: { code: 'ERR_REPLAY', message: 'seen' } }).title).toBe(
      'Command already used',
    );
    expect(friendlyError({ code: 'ERR_BRIDGE_DISCONNECTED', message: 'x' }).title).toBe(
      'Console connection lost',
    );
  });
  it('has words for the console and CA codes an operator meets', () => {
    expect(friendlyError({ code: 'ERR_CA_UNREACHABLE', message: 'x' }).title).toBe(
      'Cannot reach the certificate authority',
    );
    expect(friendlyError({ code: 'ERR_ENROLL_TOKEN_USED', message: 'x' }).message).toMatch(/new one/u);
    expect(friendlyError({ code: 'ERR_CA_PIN_MISMATCH', message: 'x' }).title).toBe(
      'Certificate authority not recognised',
    );
  });
  it('falls back to a generic message for unknown errors', () => {
    const e = friendlyError(new Error('boom'));
    expect(e.title).toBe('Something went wrong');
    expect(e.code).toBeUndefined();
    expect(e.detail).toBe('boom');
  });
  it('describes ack rejection reasons in words', () => {
    expect(describeReason('ERR_STREAM_UNKNOWN')).toBe('A stream is not in the vessel catalog.');
    expect(describeReason(undefined)).toBe('The vessel gave no reason.');
  });
});
