/**
 * The CA's broker link alerts an outage once it has lasted `alertAfterMs`, whatever its reconnect backoff does, and
 * its end once the link is back: an operator is never left without the "restored" that closes a "down".
 */
import { afterAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { until } from '@helmlink/protocol/testkit';
import type { BackoffPolicy } from '@helmlink/protocol/mqtt';
import type { BrokerLink } from '../../src/broker/link';
import { caLink, startBrokerFixture, type BrokerFixture } from './fixture';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The CA service identity's link to the fixture's broker, alerting into the fixture's authority. */
function linkTo(
  f: BrokerFixture,
  clientId: string,
  backoff: BackoffPolicy,
  alertAfterMs: number,
): BrokerLink {
  const link = caLink(f, clientId, { backoff, alertAfterMs });
  cleanups.push(() => link.close());
  return link;
}

describe('BrokerLink', () => {
  it('alerts an outage when it has lasted alertAfterMs even if no reconnect attempt fails after that moment, and its end', async () => {
    const f = await startBrokerFixture();
    cleanups.push(() => f.close());
    // One failed attempt, then a long wait: the outage outlasts alertAfterMs between two attempts.
    const link = linkTo(f, 'ca-link-test', { initialDelayMs: 2500, maxDelayMs: 2500, jitter: 0 }, 800);
    const kinds = (): string[] => f.authority.listAlerts().map((a) => a.kind);
    link.start();
    await until(() => link.ready, 'the link up');

    await f.broker.stop();
    await until(() => !link.status().connected, 'the link down');
    await sleep(300);
    expect(kinds()).not.toContain('broker_link_down');
    await until(() => kinds().includes('broker_link_down'), 'the outage alert', 2000, 50);
    expect(link.status().connected).toBe(false);

    await f.broker.start();
    await until(() => link.ready, 'the link back', 10_000);
    await until(() => kinds().includes('broker_link_restored'), 'the restored alert', 2000, 50);
    expect(kinds().filter((k) => k === 'broker_link_down')).toHaveLength(1);
  });

  it('does not alert an outage shorter than alertAfterMs', async () => {
    const f = await startBrokerFixture();
    cleanups.push(() => f.close());
    const link = linkTo(f, 'ca-link-short', { initialDelayMs: 100, maxDelayMs: 100, jitter: 0 }, 4000);
    link.start();
    await until(() => link.ready, 'the link up');
    await f.broker.stop();
    await until(() => !link.status().connected, 'the link down');
    await f.broker.start();
    await until(() => link.ready && link.status().connected, 'the link back', 10_000);
    // Past the moment the alert would have been due had the outage not ended.
    await sleep(4500);
    const kinds = f.authority.listAlerts().map((a) => a.kind);
    expect(kinds).not.toContain('broker_link_down');
    expect(kinds).not.toContain('broker_link_restored');
  });
});
