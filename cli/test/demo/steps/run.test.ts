/** One start of the topology: the stop stack and the passphrases kept in the data folder. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRun } from '../../../src/demo/steps/run';

const dir = mkdtempSync(join(tmpdir(), 'helmlink-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('topology run', () => {
  it('stops in reverse order, keeps going past a failing stop (logged), and stops only once', async () => {
    const run = openRun({ dataDir: join(dir, 'a') });
    const order: string[] = [];
    run.onStop('first', async () => void order.push('first'));
    run.onStop('broken', async () => {
      order.push('broken');
      throw new Error('boom');
    });
    run.onStop('last', async () => void order.push('last'));
    await Promise.all([run.stop(), run.stop()]);
    await run.stop();
    expect(order).toEqual(['last', 'broken', 'first']);
    expect(readFileSync(join(dir, 'a', 'logs', 'demo.log'), 'utf8')).toContain('stopping broken failed');
  });

  it('creates the demo passphrases once (mode 0600) and reuses them', () => {
    const first = openRun({ dataDir: join(dir, 'b') }).secrets;
    expect(statSync(join(dir, 'b', 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(openRun({ dataDir: join(dir, 'b') }).secrets).toEqual(first);
    expect(new Set(Object.values(first)).size).toBe(3);
  });
});
