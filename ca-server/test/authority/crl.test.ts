import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crlNumberOf, parseCrls, frozenClock } from '@helmlink/protocol';
import { loadAuthority } from '../../src/authority/authority';
import { caPaths } from '../../src/authority/files';
import { RateLimiter, DEFAULT_RATE_LIMITS } from '../../src/authority/rate-limit';
import { createTestCa, TEST_START, PASSPHRASE } from '../helpers';

describe('CRL freshness', () => {
  it('re-issues the CRL before nextUpdate and keeps CRL numbers increasing across restarts', async () => {
    const clock = frozenClock(TEST_START);
    const { dir } = await createTestCa(clock);
    const authority = await loadAuthority({
      dir,
      passphrase: PASSPHRASE,
      clock,
      crlValiditySeconds: 3600,
      crlRefreshMarginSeconds: 600,
    });
    const first = await authority.currentCrl();
    expect(first.nextUpdate.getTime() - clock()).toBe(3600_000);
    clock.advance(2000_000);
    expect((await authority.currentCrl()).number).toBe(first.number);
    clock.advance(1100_000); // less than 10 min remain
    const second = await authority.currentCrl();
    expect(second.number).toBe(first.number + 1);
    expect(crlNumberOf(parseCrls(readFileSync(caPaths(dir).crl, 'utf8'))[0]!)).toBe(second.number);
    await authority.close();
    const again = await loadAuthority({
      dir,
      passphrase: PASSPHRASE,
      clock,
      crlValiditySeconds: 3600,
      crlRefreshMarginSeconds: 600,
    });
    expect((await again.currentCrl()).number).toBe(second.number); // adopted, still fresh
    await again.reissueCrl();
    expect((await again.currentCrl()).number).toBe(second.number + 1);
    await again.close();
  });
});

describe('RateLimiter', () => {
  it('counts per key and window and reports the first trip once', () => {
    const clock = frozenClock(TEST_START);
    const limiter = new RateLimiter(
      {
        ...DEFAULT_RATE_LIMITS,
        revoke: { perAddress: { limit: 2, windowMs: 10_000 }, perIdentity: { limit: 1, windowMs: 10_000 } },
      },
      clock,
    );
    expect(limiter.hit('revoke', 'perAddress', 'a').allowed).toBe(true);
    expect(limiter.hit('revoke', 'perAddress', 'a').allowed).toBe(true);
    expect(limiter.hit('revoke', 'perAddress', 'a')).toMatchObject({
      allowed: false,
      firstTrip: true,
      retryAfter: 10,
    });
    expect(limiter.hit('revoke', 'perAddress', 'a')).toMatchObject({ allowed: false, firstTrip: false });
    expect(limiter.hit('revoke', 'perAddress', 'b').allowed).toBe(true);
    clock.advance(10_000);
    expect(limiter.hit('revoke', 'perAddress', 'a').allowed).toBe(true);
  });
});
