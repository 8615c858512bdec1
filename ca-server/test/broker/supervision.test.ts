/**
 * The managed broker's supervision on a real Mosquitto: restarted with backoff when it dies, an orphan of an
 * earlier run taken over through the pid file (its sessions kept) or refused with a code, a stale pid file ignored.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@helmlink/protocol/testkit';
import { isHelmlinkError } from '@helmlink/protocol';
import { waitForPort } from '@helmlink/protocol/node';
import type { Authority } from '../../src/authority/authority';
import { processState, readPidFile } from '../../src/broker/broker-conf';
import type { BrokerMaterial } from '../../src/broker/material';
import { ManagedMosquitto, type BrokerEvent } from '../../src/broker/mosquitto';
import { connectClient, issueIdentity, prepareMaterial } from './fixture';

let authority: Authority;
let material: BrokerMaterial;
let port: number;
const brokers: ManagedMosquitto[] = [];

const managed = (extra: Partial<ConstructorParameters<typeof ManagedMosquitto>[0]> = {}) => {
  const b = new ManagedMosquitto({
    conf: material.conf,
    port,
    restartBackoff: { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0 },
    ...extra,
  });
  brokers.push(b);
  return b;
};

beforeAll(async () => {
  ({ authority, material, port } = await prepareMaterial());
});

afterAll(async () => {
  for (const b of brokers) await b.stop();
  await authority?.close();
});

describe('ManagedMosquitto supervision', () => {
  it('starts a broker that died again, with backoff, on the same port', async () => {
    const events: BrokerEvent[] = [];
    const broker = managed({ onEvent: (e) => events.push(e) });
    await broker.start();
    const first = broker.pid!;
    expect(readPidFile(material.pidfile)).toBe(first);
    process.kill(first, 'SIGKILL');
    await until(() => events.some((e) => e.type === 'restarted'), 'the restart');
    expect(events.map((e) => e.type)).toEqual(['exited', 'restarting', 'restarted']);
    expect(events[0]).toMatchObject({ type: 'exited', pid: first, signal: 'SIGKILL' });
    expect(events[1]).toMatchObject({ attempt: 1, delayMs: 100 });
    expect(broker.pid).not.toBe(first);
    await waitForPort(port);
    // Stopping is not a death: nothing starts it again.
    await broker.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(broker.pid).toBeUndefined();
    expect(events.filter((e) => e.type === 'restarted')).toHaveLength(1);
  });

  it('takes over the broker an earlier run left running with this configuration, keeping its sessions', async () => {
    // The earlier run: a broker whose owner is gone (no supervision left in it).
    const earlier = managed({ supervise: false });
    await earlier.start();
    const orphan = earlier.pid!;
    const id = await issueIdentity(authority, 'mv-kept', ['vessel']);
    const client = await connectClient(`mqtts://127.0.0.1:${port}`, authority.chainPem(), id, 'mv-kept');

    const events: BrokerEvent[] = [];
    const next = managed({ onEvent: (e) => events.push(e) });
    await next.start();
    expect(events).toEqual([{ type: 'adopted', pid: orphan }]);
    expect(next.pid).toBe(orphan);
    expect(next.isAdopted).toBe(true);
    next.reload();
    await new Promise((r) => setTimeout(r, 200));
    expect(client.closes).toBe(0);

    // Refused, with its code, when taking over is not allowed.
    const strict = managed({ adoptOrphan: false });
    const err = await strict.start().catch((e: unknown) => e);
    expect(isHelmlinkError(err, 'ERR_BROKER_ORPHAN')).toBe(true);
    expect((err as Error).message).toContain(`pid ${orphan}`);

    // The taken-over broker dies: ours replaces it.
    process.kill(orphan, 'SIGKILL');
    await until(() => events.some((e) => e.type === 'restarted'), 'the replacement');
    expect(next.isAdopted).toBe(false);
    expect(next.pid).not.toBe(orphan);
    await waitForPort(port);
    client.client.end(true);
    await next.stop();
    expect(processState(orphan)).toBe('dead');
  });

  it('ignores a pid file naming a process that is not this broker', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(material.pidfile, `${sleeper.pid}\n`);
      const events: BrokerEvent[] = [];
      const broker = managed({ onEvent: (e) => events.push(e) });
      await broker.start();
      expect(events).toEqual([]);
      expect(broker.pid).not.toBe(sleeper.pid);
      expect(processState(sleeper.pid!)).toBe('alive');
      await broker.stop();
    } finally {
      sleeper.kill();
    }
  });
});
