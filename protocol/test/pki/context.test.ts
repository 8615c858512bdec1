/**
 * The shared state of one validation (context.ts): the work budget that bounds a hostile search, the verification
 * time in whole seconds, and the coded errors that name a certificate.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  describe as describeCert,
  fail,
  newBudget,
  profileFail,
  spend,
  wholeSeconds,
  WORK_LIMITS,
} from '../../src/pki/context';
import { type CertInfo, certInfo } from '../../src/pki/extensions';
import { forgeRoot } from './forge';

let info: CertInfo;
beforeAll(async () => {
  info = certInfo((await forgeRoot('Context Root', { serial: new Uint8Array([0x42]) })).certificate);
});

describe('the work budget (attack: a pool of look-alike issuers that would keep the search going)', () => {
  it('starts at the documented limits, fresh for every validation', () => {
    const a = newBudget();
    expect(a).toEqual({ candidates: 1024, signatures: 128, paths: 128, exhausted: false });
    a.paths = 0;
    expect(newBudget().paths).toBe(WORK_LIMITS.paths);
  });

  it('each unit is spent once; the first spend beyond the last unit fails and marks the budget exhausted', () => {
    const b = { candidates: 2, signatures: 1, paths: 0, exhausted: false };
    expect([spend(b, 'candidates'), spend(b, 'candidates')]).toEqual([true, true]);
    expect(b).toEqual({ candidates: 0, signatures: 1, paths: 0, exhausted: false });
    expect(spend(b, 'candidates')).toBe(false);
    expect(b).toEqual({ candidates: 0, signatures: 1, paths: 0, exhausted: true });
    const c = { candidates: 1, signatures: 1, paths: 0, exhausted: false };
    expect(spend(c, 'paths')).toBe(false);
    expect(c).toEqual({ candidates: 1, signatures: 1, paths: 0, exhausted: true });
    const d = { candidates: 1, signatures: 1, paths: 1, exhausted: false };
    expect(spend(d, 'signatures')).toBe(true);
    expect(d).toEqual({ candidates: 1, signatures: 0, paths: 1, exhausted: false });
  });
});

describe('time and errors', () => {
  it('the verification time is floored to the whole second, the precision of X.509 times (4.1.2.5)', () => {
    expect([wholeSeconds(1_000), wholeSeconds(1_999), wholeSeconds(0), wholeSeconds(-1)]).toEqual([
      1_000, 1_000, 0, -1_000,
    ]);
  });

  it('a rejection names the certificate by subject and serial; a profile fault adds its section', () => {
    expect(describeCert(info)).toBe('"CN=Context Root"');
    const e = fail('ERR_CHAIN_EKU', 'why', info, { purpose: 'clientAuth' });
    expect([e.code, e.message, e.details]).toEqual([
      'ERR_CHAIN_EKU',
      'why',
      { subject: 'CN=Context Root', serial: '42', purpose: 'clientAuth' },
    ]);
    expect(fail('ERR_CHAIN_EKU', 'why', info).details).toEqual({ subject: 'CN=Context Root', serial: '42' });
    const p = profileFail(info, '4.2.1.2', 'a fault');
    expect([p.code, p.message, p.details]).toEqual([
      'ERR_CHAIN_PROFILE',
      '"CN=Context Root": a fault (RFC 5280 4.2.1.2)',
      { subject: 'CN=Context Root', serial: '42', rule: '4.2.1.2' },
    ]);
  });
});
