/**
 * Vessel alerts reach the CA's webhook: signed by the vessel on its own alert topic, verified by the CA (path to its
 * root, role vessel, the topic's vessel, a valid certificate of its store, no replay), forwarded one by one up to a
 * budget per window and then summed up; anything else is refused and reported once per window.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@helmlink/protocol/testkit';
import { createSigner, parseCertificates, signAlert, systemClock, topics } from '@helmlink/protocol';
import { ManagedMosquitto } from '../../src/broker/mosquitto';
import { startCaServer, type CaServer } from '../../src/http/server';
import { createTestCa, PASSPHRASE } from '../helpers';
import { loadAuthority } from '../../src/authority/authority';
import { connectClient, issueIdentity, prepareMaterial, type CountedClient, type Identity } from './fixture';

let server: CaServer;
let hook: Server;
const posts: { kind: string; text: string; severity: string; details: Record<string, unknown> }[] = [];
let vessel: Identity;
let pilot: Identity;
let vesselClient: CountedClient;
let url: string;

const signer = (id: Identity) =>
  createSigner({ privateKey: id.keys.privateKey, chain: parseCertificates(id.chainPem) });

const alertToken = async (
  id: Identity,
  message: string,
  kind: 'crl-stale' | 'broker-revoked' = 'crl-stale',
) => (await signAlert(signer(id), { clock: systemClock, kind, code: 'ERR_CRL_STALE', message })).token;

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      posts.push(JSON.parse(body) as (typeof posts)[number]);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  const { dir, authority, material, port } = await prepareMaterial();
  vessel = await issueIdentity(authority, 'mv-alerting', ['vessel']);
  pilot = await issueIdentity(authority, 'pilot-forger', ['pilot']);
  await authority.close();
  server = await startCaServer({
    dir,
    passphrase: PASSPHRASE,
    port: 0,
    crlTimer: false,
    brokerSync: { outDir: material.outDir, broker: new ManagedMosquitto({ conf: material.conf, port }) },
    alertWebhook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, backoffMs: 50 },
    vesselAlerts: { windowMs: 3000, perWindow: 2 },
  });
  await until(() => server.link?.ready === true, 'the CA on its broker');
  url = `mqtts://127.0.0.1:${port}`;
  vesselClient = await connectClient(url, server.authority.chainPem(), vessel, 'mv-alerting');
});

afterAll(async () => {
  vesselClient?.client.end(true);
  await server?.close();
  await new Promise<void>((r) => hook?.close(() => r()));
});

const vesselPosts = () => posts.filter((p) => p.kind === 'vessel_alert');

describe('vessel alerts at the CA', () => {
  it('forwards a vessel’s signed alert to the webhook', async () => {
    await vesselClient.client.publishAsync(
      topics.alert('mv-alerting'),
      await alertToken(vessel, 'CRL 2 h old'),
      {
        qos: 1,
      },
    );
    await until(() => vesselPosts().length === 1, 'the webhook');
    expect(vesselPosts()[0]).toMatchObject({
      severity: 'warning',
      text: expect.stringContaining('vessel mv-alerting: CRL 2 h old (crl-stale, ERR_CRL_STALE)'),
      details: { vesselId: 'mv-alerting', kind: 'crl-stale', code: 'ERR_CRL_STALE' },
    });
  });

  it('rate-limits per vessel and kind: two at once, the rest summed up when the window closes', async () => {
    posts.length = 0;
    await new Promise((r) => setTimeout(r, 3100)); // a fresh window
    for (let i = 0; i < 6; i++)
      await vesselClient.client.publishAsync(
        topics.alert('mv-alerting'),
        await alertToken(vessel, `stale ${i}`, 'broker-revoked'),
        { qos: 1 },
      );
    await until(() => vesselPosts().length === 3, 'the summary', 8000);
    const texts = vesselPosts().map((p) => p.text);
    expect(texts[0]).toContain('stale 0');
    expect(texts[1]).toContain('stale 1');
    expect(texts[2]).toContain('4 more broker-revoked alerts in 3 s (latest: stale 5)');
    expect(vesselPosts().every((p) => p.severity === 'critical')).toBe(true);
    expect(server.vesselAlerts!.stats).toMatchObject({ suppressed: 4 });
  });

  it('refuses replays, other signers and other CAs, and reports them once per window', async () => {
    // A vessel of the same name, certified by another CA.
    const other = await createTestCa(systemClock);
    const otherAuthority = await loadAuthority({ dir: other.dir, passphrase: PASSPHRASE });
    const stranger = await issueIdentity(otherAuthority, 'mv-alerting', ['vessel']);
    await otherAuthority.close();
    const strangerToken = await alertToken(stranger, 'x');
    const forged = (
      await signAlert(signer(pilot), {
        clock: systemClock,
        kind: 'crl-stale',
        code: 'ERR_CRL_STALE',
        message: 'x',
      })
    ).token;
    const elsewhere = await alertToken(vessel, 'x');
    const token = await alertToken(vessel, 'once');
    await new Promise((r) => setTimeout(r, 3100)); // a fresh window
    posts.length = 0;
    const forwarder = server.vesselAlerts!;
    expect(await forwarder.handle(topics.alert('mv-alerting'), Buffer.from(token))).toBe('forwarded');
    expect(await forwarder.handle(topics.alert('mv-alerting'), Buffer.from(token))).toBe('rejected');
    // A pilot's signature on the vessel's topic (the broker would not even let the pilot publish there).
    expect(await forwarder.handle(topics.alert('mv-alerting'), Buffer.from(forged))).toBe('rejected');
    // The vessel's genuine token on another vessel's topic.
    expect(await forwarder.handle(topics.alert('mv-other'), Buffer.from(elsewhere))).toBe('rejected');
    // A vessel of another CA.
    expect(await forwarder.handle(topics.alert('mv-alerting'), Buffer.from(strangerToken))).toBe('rejected');
    expect(await forwarder.handle(topics.alert('mv-alerting'), Buffer.from('not a token'))).toBe('rejected');
    await until(
      () => posts.filter((p) => p.kind === 'vessel_alert_rejected').length === 2,
      'the reports',
      8000,
    );
    const rejected = posts.filter((p) => p.kind === 'vessel_alert_rejected').map((p) => p.text);
    expect(rejected[0]).toMatch(/did not verify and was not forwarded: replayed alert/u);
    expect(rejected[1]).toContain('4 more message(s) on vessel alert topics did not verify');
  });

  it('refuses the alert of a vessel whose certificate is revoked, though its signature verifies', async () => {
    const token = await alertToken(vessel, 'after revocation');
    await server.authority.revoke({ serial: vessel.serial, reason: 1 }, { id: 'test' });
    expect(await server.vesselAlerts!.handle(topics.alert('mv-alerting'), Buffer.from(token))).toBe(
      'rejected',
    );
  });
});
