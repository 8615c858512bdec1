/**
 * The CRL publisher never swallows a failure: a refused publish or an unreachable broker raises an alert, is retried
 * until the broker holds the current CRL, and /health shows what the broker holds next to the current number.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '@helmlink/protocol/testkit';
import type { HealthResponse } from '@helmlink/ca-client/wire';
import { CrlPublisher } from '../../src/broker/crl-publisher';
import { desiredDynsecState, entityRoleName } from '../../src/broker/dynsec/policy';
import { type BrokerLink } from '../../src/broker/link';
import { ManagedMosquitto } from '../../src/broker/mosquitto';
import { startCaServer, type CaServer } from '../../src/http/server';
import { PASSPHRASE } from '../helpers';
import { caLink, issueIdentity, prepareMaterial, startBrokerFixture, type BrokerFixture } from './fixture';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const fast = { initialDelayMs: 100, maxDelayMs: 400, jitter: 0 };

function linkTo(f: BrokerFixture, clientId: string, control: boolean): BrokerLink {
  const link = caLink(f, clientId, { control, backoff: fast });
  cleanups.push(() => link.close());
  return link;
}

const ready = (link: BrokerLink): Promise<void> =>
  new Promise((resolve) => {
    if (link.ready) return resolve();
    link.once('ready', () => resolve());
    link.start();
  });

describe('CrlPublisher', () => {
  it('alerts when the broker refuses the CRL, and retries until the broker has it', async () => {
    const f = await startBrokerFixture();
    cleanups.push(() => f.close());
    const admin = linkTo(f, 'admin-link', true);
    await ready(admin);
    // The broker stops letting the CA write the CRL topic.
    await admin.control!.runAll([
      { command: 'modifyRole', rolename: entityRoleName('helmlink-ca'), acls: [] },
    ]);

    const link = linkTo(f, 'publisher-link', false);
    const publisher = new CrlPublisher(f.authority, link, { retry: fast, publishTimeoutMs: 2000 });
    cleanups.push(() => publisher.stop());
    const since = f.authority.listAlerts().at(-1)?.id ?? 0;
    publisher.start();
    await ready(link);
    await until(() => publisher.status().failures >= 2, 'the first failure');
    const failed = f.authority.listAlerts(since).filter((a) => a.kind === 'crl_publish_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toMatch(/could not be published over MQTT \(attempt 1: .*reason code 135/u);
    expect(publisher.status()).toMatchObject({ publishedCrlNumber: null });

    // The broker lets it again: the next retry goes through, and says so.
    const identities = f.authority.store.listActiveIdentities(Date.now());
    await admin.control!.reconcile(desiredDynsecState(identities, 'helmlink-ca'));
    await until(() => publisher.status().publishedCrlNumber !== null, 'the publish');
    const { number } = await f.authority.currentCrl();
    expect(publisher.status()).toMatchObject({ publishedCrlNumber: number, failures: 0 });
    const recovered = f.authority.listAlerts(since).filter((a) => a.kind === 'crl_published');
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.severity).toBe('info');
  });

  it('with the broker down the CA serves on, alerts, and catches up when it returns; /health shows both numbers', async () => {
    const { dir, authority, material, port } = await prepareMaterial();
    await authority.close();
    const broker = new ManagedMosquitto({ conf: material.conf, port });
    let server: CaServer | undefined = await startCaServer({
      dir,
      passphrase: PASSPHRASE,
      port: 0,
      crlTimer: false,
      brokerSync: { outDir: material.outDir, broker },
      mqtt: { backoff: fast, retry: fast, alertAfterMs: 0 },
    });
    cleanups.push(async () => {
      await server?.close();
      server = undefined;
    });
    const ca = server;
    const health = async (): Promise<HealthResponse> =>
      (await ca.app.inject({ method: 'GET', url: '/health' })).json<HealthResponse>();
    // The first publish and the first broker sync both follow the link's connect, independently of each other.
    await until(async () => {
      const h = await health();
      return h.publishedCrlNumber === h.crlNumber && h.broker?.syncedCrlNumber === h.crlNumber;
    }, 'the first publish and the first sync');
    expect((await health()).broker).toMatchObject({ connected: true, publishFailures: 0, reload: 'managed' });

    await broker.stop();
    const vessel = await issueIdentity(ca.authority, 'mv-while-down', ['vessel']);
    await ca.authority.revoke({ serial: vessel.serial, reason: 1 }, { id: 'test' });
    await until(
      () => ca.authority.listAlerts().some((a) => a.kind === 'broker_link_down'),
      'the outage alert',
    );
    const during = await health();
    expect(during.broker?.connected).toBe(false);
    expect(during.publishedCrlNumber).toBeLessThan(during.crlNumber);
    expect(during.broker?.lastError).toBeTruthy();

    await broker.start();
    await until(async () => {
      const h = await health();
      return h.publishedCrlNumber === h.crlNumber && h.broker?.syncedCrlNumber === h.crlNumber;
    }, 'the catch-up');
    expect((await health()).broker?.connected).toBe(true);
    const kinds = ca.authority.listAlerts().map((a) => a.kind);
    expect(kinds.filter((k) => k === 'broker_link_down')).toHaveLength(1);
    expect(kinds).toContain('broker_link_restored');
  });
});
