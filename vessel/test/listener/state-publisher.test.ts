/** The state publisher: coalescing, retry with the backoff policy while it may, and the flush on close. */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { StatePublisher, STATE_COALESCE_MS } from '../../src/listener/state-publisher';
import { until } from '../helpers/fleet';

const log = pino({ level: 'silent' });

describe('StatePublisher', () => {
  it('coalesces a burst of changes into one publish', async () => {
    let published = 0;
    const p = new StatePublisher({
      log,
      random: () => 0,
      canRetry: () => true,
      publish: async () => void published++,
    });
    for (let i = 0; i < 10; i++) p.soon();
    await new Promise((r) => setTimeout(r, STATE_COALESCE_MS * 5));
    expect(published).toBe(1);
  });

  it('retries a refused publish with backoff while it may, and stops retrying when it may not', async () => {
    const at: number[] = [];
    let allowed = true;
    const p = new StatePublisher({
      log,
      random: () => 0,
      canRetry: () => allowed,
      publish: async () => {
        at.push(Date.now());
        if (at.length < 3) throw new Error('not authorised');
      },
    });
    p.soon(0);
    await until(() => at.length === 3, 'three attempts');
    // random() = 0 with jitter 0.5: half of 500 ms, then half of 1000 ms.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(250 - 5);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(500 - 5);
    allowed = false;
    const failing = new StatePublisher({
      log,
      random: () => 0,
      canRetry: () => allowed,
      publish: async () => {
        at.push(-1);
        throw new Error('refused');
      },
    });
    failing.soon(0);
    await until(() => at.includes(-1), 'one attempt');
    await new Promise((r) => setTimeout(r, 400));
    expect(at.filter((t) => t === -1)).toHaveLength(1);
  });

  it('publishes a pending change at once on flush, and nothing when none is pending', async () => {
    let published = 0;
    const p = new StatePublisher({
      log,
      random: () => 0,
      canRetry: () => true,
      publish: async () => void published++,
    });
    await p.flush();
    expect(published).toBe(0);
    p.soon(60_000);
    await p.flush();
    expect(published).toBe(1);
  });

  it('re-signs the state before it expires: a publish again every refreshMs, none after flush', async () => {
    const at: number[] = [];
    const p = new StatePublisher({
      log,
      random: () => 0,
      canRetry: () => true,
      refreshMs: 60,
      publish: async () => void at.push(Date.now()),
    });
    p.soon(0);
    await until(() => at.length >= 3, 'two re-signs');
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(60 - 5);
    await p.flush();
    const count = at.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(at.length).toBe(count);
  });
});
