import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatTimeZoned,
  formatBitrate,
  formatCountdown,
  formatFingerprint,
  formatMs,
  formatRate,
  normaliseSha256Fingerprint,
} from '../../src/logic/format';
import { expiryInfo } from '../../src/logic/expiry';
import { matchesSearch, toJsonLines } from '../../src/logic/jsonl';
import { describeRevocationReason } from '../../src/logic/revocation';

describe('format', () => {
  it('formats bit rates', () => {
    expect(formatBitrate(512)).toBe('512 bit/s');
    expect(formatBitrate(9600)).toBe('9.6 kbit/s');
    expect(formatBitrate(2_500_000)).toBe('2.5 Mbit/s');
    expect(formatBitrate(-1)).toBe('—');
  });
  it('formats message rates and durations', () => {
    expect(formatRate(0)).toBe('0 msg/s');
    expect(formatRate(0.54)).toBe('0.5 msg/s');
    expect(formatRate(12.4)).toBe('12 msg/s');
    expect(formatMs(42.4)).toBe('42 ms');
    expect(formatMs(1234)).toBe('1.2 s');
  });
  it('formats countdowns', () => {
    const now = Date.UTC(2026, 10, 22);
    expect(formatCountdown(now + (3 * 86400 + 4 * 3600) * 1000, now)).toBe('3 d 4 h');
    expect(formatCountdown(now + (5 * 3600 + 12 * 60) * 1000, now)).toBe('5 h 12 min');
    expect(formatCountdown(now + 250 * 1000, now)).toBe('4 min 10 s');
    expect(formatCountdown(now - 2 * 86400 * 1000, now)).toBe('expired 2 d 0 h ago');
  });
  it('formats and normalises fingerprints', () => {
    expect(formatFingerprint('abcd01')).toBe('AB:CD:01');
    expect(normaliseSha256Fingerprint(`SHA256: ${'AB:'.repeat(31)}AB`)).toBe('ab'.repeat(32));
    expect(normaliseSha256Fingerprint('abc')).toBeUndefined();
  });
});

describe('expiry', () => {
  const day = 86_400_000;
  const nb = Date.UTC(2026, 0, 1);
  const na = nb + 90 * day;
  it('is ok early, renew-due after 2/3, warning near the end, critical in the last day, expired after', () => {
    expect(expiryInfo(nb, na, nb + 10 * day).level).toBe('ok');
    expect(expiryInfo(nb, na, nb + 61 * day).level).toBe('renew-due');
    expect(expiryInfo(nb, na, na - 5 * day).level).toBe('warning');
    expect(expiryInfo(nb, na, na - 3600_000).level).toBe('critical');
    expect(expiryInfo(nb, na, na + 1).level).toBe('expired');
    expect(expiryInfo(nb, na, na + day).usedFraction).toBe(1);
  });
});

describe('JSON Lines and search', () => {
  it('writes one JSON value per line with a trailing newline', () => {
    expect(toJsonLines([{ a: 1 }, { b: 'x\ny' }])).toBe('{"a":1}\n{"b":"x\\ny"}\n');
    expect(toJsonLines([])).toBe('');
  });
  it('matches every term case-insensitively', () => {
    expect(matchesSearch({ vesselId: 'Aurora', verdict: 'rejected' }, 'aurora REJ')).toBe(true);
    expect(matchesSearch({ vesselId: 'Aurora' }, 'aurora applied')).toBe(false);
    expect(matchesSearch({}, '  ')).toBe(true);
  });
});

describe('revocation reasons', () => {
  it('describes codes and names', () => {
    expect(describeRevocationReason(1)).toBe('Key compromise');
    expect(describeRevocationReason('certificateHold')).toMatch(/hold/iu);
    expect(describeRevocationReason(8)).toMatch(/released/u);
    expect(describeRevocationReason(null)).toBe('—');
  });
});

describe('ages and zoned times', () => {
  it('says how long ago, coarsening with the distance', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(formatAge(now - 500, now)).toBe('just now');
    expect(formatAge(now - 12_000, now)).toBe('12 s ago');
    expect(formatAge(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAge(now - 3 * 3600_000, now)).toBe('3 h ago');
    expect(formatAge(now - 3 * 86_400_000, now)).toBe('3 d ago');
    expect(formatAge(now + 5000, now)).toBe('just now');
  });
  it('writes the zone after the local time', () => {
    expect(formatTimeZoned('2026-11-22T12:00:00Z')).toMatch(/^2026-11-2\d \d\d:\d\d:00 UTC[+-]\d\d:\d\d$/u);
    expect(formatTimeZoned(undefined)).toBe('—');
    expect(formatTimeZoned('not a time')).toBe('not a time');
  });
});
