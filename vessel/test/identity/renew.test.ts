import { describe, expect, it } from 'vitest';
import { renewalDueAt } from '@helmlink/protocol';
import { createTestPki } from '@helmlink/protocol/testing';

describe('renewal timing', () => {
  it('renews at 2/3 of the lifetime plus jitter', async () => {
    const pki = await createTestPki();
    const start = new Date('2026-01-01T00:00:00Z');
    const e = await pki.issue('MV', ['vessel'], {
      notBefore: start,
      notAfter: new Date(start.getTime() + 90 * 86_400_000),
    });
    const at = (r: number) =>
      renewalDueAt(e.certificate, { atFraction: 2 / 3, jitterFraction: 0.05, random: () => r });
    expect(at(0)).toBe(start.getTime() + 60 * 86_400_000);
    expect(at(1) - at(0)).toBe(Math.round(90 * 86_400_000 * 0.05));
  });
});
