/**
 * The broker as the CA drives it, on a real Mosquitto 2.0.11 with Debian's dynamic-security plugin: new
 * enrollments and revocations apply without a restart, and a revocation cuts exactly the revoked client.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRL_TOPIC, parseCrls, topics } from '@helmlink/protocol';
import { CrlPublisher } from '../../src/broker/crl-publisher';
import { desiredDynsecState, DYNSEC_RESPONSE_TOPIC } from '../../src/broker/dynsec/policy';
import { BrokerLink } from '../../src/broker/link';
import { attachBrokerSync, type BrokerSyncHandle } from '../../src/broker/sync';
import { PASSPHRASE } from '../helpers';
import { CBC_SHA1_ONLY, opensslHandshake } from '../fixtures/tls-handshake';
import { startBrokerFixture, type BrokerFixture } from './fixture';

let f: BrokerFixture;
let link: BrokerLink;
let sync: BrokerSyncHandle;
let publisher: CrlPublisher;

/** The broker's clients (usernames) as its plugin holds them now. */
const brokerClients = async (): Promise<string[]> =>
  (await link.control!.read()).clients.map((c) => c.username).sort();

const refusedCode = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'allowed',
    (e: { code?: unknown; message?: string }) => e.code ?? e.message,
  );

beforeAll(async () => {
  f = await startBrokerFixture();
  link = new BrokerLink({
    url: f.url,
    servername: 'localhost',
    clientId: 'helmlink-ca',
    key: readFileSync(f.authority.paths.serverKey, 'utf8'),
    cert: readFileSync(f.authority.paths.serverCert, 'utf8'),
    passphrase: PASSPHRASE,
    ca: f.authority.chainPem(),
    control: true,
    alerts: f.authority.alerts,
  });
  sync = attachBrokerSync(f.authority, { outDir: f.material.outDir, broker: f.broker, link });
  publisher = new CrlPublisher(f.authority, link);
  publisher.start();
  const ready = new Promise<void>((r) => link.once('ready', () => r()));
  link.start();
  await ready;
  await sync.idle();
});

afterAll(async () => {
  sync?.stop();
  await publisher?.stop();
  await link?.close();
  await f?.close();
});

describe('Mosquitto with the generated material', () => {
  it('writes a conf with the required settings and the dynamic-security state from the store', async () => {
    const conf = readFileSync(f.material.conf, 'utf8');
    for (const line of [
      'require_certificate true',
      'use_identity_as_username true',
      'allow_anonymous false',
      'set_tcp_nodelay true',
      'tls_version tlsv1.2',
      'plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
      `plugin_opt_config_file ${f.material.dynsecfile}`,
    ]) {
      expect(conf).toContain(line);
    }
    expect(conf).not.toMatch(/^acl_file/mu);
    expect(conf).toMatch(/^crlfile .*crl\.pem$/mu);
    expect(readFileSync(f.material.crlfile, 'utf8')).toContain('BEGIN X509 CRL');
    const file = JSON.parse(readFileSync(f.material.dynsecfile, 'utf8')) as {
      defaultACLAccess: Record<string, boolean>;
      clients: { username: string; roles: { rolename: string }[] }[];
    };
    expect(file.defaultACLAccess).toEqual({
      publishClientSend: false,
      publishClientReceive: false,
      subscribe: false,
      unsubscribe: true,
    });
    expect(file.clients.find((c) => c.username === 'helmlink-ca')?.roles.map((r) => r.rolename)).toEqual([
      'helmlink:entity:helmlink-ca',
      'helmlink:control',
    ]);
    // The running broker holds the same (the CA's own identity, the broker's and the first admin).
    expect(await brokerClients()).toContain('helmlink-ca');
  });

  it('allows only AEAD suites: a client offering only TLS 1.2 CBC-SHA1 suites is refused (real handshakes)', async () => {
    const conf = readFileSync(f.material.conf, 'utf8');
    expect(conf).toMatch(/^ciphers ECDHE-[^\n]*GCM[^\n]*$/mu);
    expect(conf).toMatch(/^ciphers_tls1\.3 TLS_AES_256_GCM_SHA384/mu);
    const id = await f.identity('mv-tls-probe', ['vessel']);
    const files = mkdtempSync(join(tmpdir(), 'helmlink-tls-probe-'));
    const client = { cert: join(files, 'c.pem'), key: join(files, 'k.pem') };
    writeFileSync(client.cert, id.chainPem);
    writeFileSync(client.key, id.key);
    const cbc = await opensslHandshake(f.material.port, ['-tls1_2', '-cipher', CBC_SHA1_ONLY], client);
    expect(cbc.ok, cbc.output).toBe(false);
    const gcm = await opensslHandshake(
      f.material.port,
      ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
      client,
    );
    expect(gcm, gcm.output).toMatchObject({ ok: true, protocol: 'TLSv1.2' });
    const tls13 = await opensslHandshake(f.material.port, [], client);
    expect(tls13, tls13.output).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
  });

  it('takes new enrollments at once (no restart), enforces the topic policy and publishes the CRL retained', async () => {
    const pid = f.broker.pid;
    const good = await f.identity('mv-good', ['vessel']);
    const pilot = await f.identity('pilot-1', ['pilot']);
    await sync.idle();
    expect(await brokerClients()).toEqual(expect.arrayContaining(['mv-good', 'pilot-1']));
    const goodClient = await f.connectAs(good, 'mv-good');
    const pilotClient = await f.connectAs(pilot, 'pilot-1');
    // Its own topics at once, with no reload and no wait...
    await goodClient.client.publishAsync(topics.ack('mv-good'), 'x', { qos: 1 });
    expect(
      (await goodClient.client.subscribeAsync(topics.cmd('mv-good'), { qos: 1 })).map((g) => g.qos),
    ).toEqual([1]);
    // ...and never another vessel's.
    expect(await refusedCode(goodClient.client.publishAsync(topics.ack('mv-bad'), 'x', { qos: 1 }))).toBe(
      135,
    );
    expect(await refusedCode(goodClient.client.subscribeAsync(topics.cmd('mv-bad'), { qos: 1 }))).toMatch(
      /Not authorized/u,
    );
    // Nobody but the CA reaches the plugin's API.
    expect(await refusedCode(pilotClient.client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 }))).toMatch(
      /Not authorized/u,
    );
    expect(
      await refusedCode(
        pilotClient.client.publishAsync('$CONTROL/dynamic-security/v1', '{"commands":[]}', { qos: 1 }),
      ),
    ).toBe(135);

    // The CRL arrives retained on the CRL topic (DER) for anyone subscribing.
    await publisher.idle();
    const crlDer = await new Promise<Buffer>((resolve) => {
      pilotClient.client.on('message', (topic, payload) => {
        if (topic === CRL_TOPIC) resolve(payload);
      });
      void pilotClient.client.subscribeAsync(CRL_TOPIC, { qos: 1 });
    });
    expect(parseCrls(new Uint8Array(crlDer))[0]!.issuer).toContain('Issuing CA');
    expect(publisher.status().publishedCrlNumber).toBe((await f.authority.currentCrl()).number);
    expect(f.broker.pid).toBe(pid);
  });

  it('a revocation cuts the revoked client within 1 s, touches no other session and refuses it afterwards', async () => {
    const pid = f.broker.pid;
    const bad = await f.identity('mv-bad', ['vessel']);
    const other = await f.identity('mv-other', ['vessel']);
    const pilot = await f.identity('pilot-2', ['pilot']);
    await sync.idle();
    const badClient = await f.connectAs(bad, 'mv-bad');
    const otherClient = await f.connectAs(other, 'mv-other');
    const pilotClient = await f.connectAs(pilot, 'pilot-2');
    const cut = badClient.nextClose();

    const t0 = Date.now();
    await f.authority.revoke({ serial: bad.serial, reason: 1, description: 'stolen' }, { id: 'test' });
    expect((await cut) - t0).toBeLessThan(1000);
    await sync.idle();

    expect(otherClient.closes).toBe(0);
    expect(pilotClient.closes).toBe(0);
    expect(otherClient.client.connected && pilotClient.client.connected).toBe(true);
    // The others go on as before.
    await otherClient.client.publishAsync(topics.ack('mv-other'), 'still here', { qos: 1 });
    await pilotClient.client.publishAsync(topics.cmd('mv-other'), 'still here', { qos: 1 });
    // The revoked certificate is refused at the handshake (the CRL was reloaded, not the broker restarted).
    await expect(f.connectAs(bad, 'mv-bad-again')).rejects.toThrow();
    expect(await brokerClients()).not.toContain('mv-bad');
    expect(f.broker.pid).toBe(pid);
    expect(sync.status()).toMatchObject({
      reload: 'managed',
      crlNumber: (await f.authority.currentCrl()).number,
    });
  });

  it('a hold cuts and refuses the client; its release gives it back its permissions, without a restart', async () => {
    const pid = f.broker.pid;
    const held = await f.identity('mv-held', ['vessel']);
    await sync.idle();
    const client = await f.connectAs(held, 'mv-held');
    const cut = client.nextClose();
    await f.authority.revoke({ serial: held.serial, reason: 6 }, { id: 'test' });
    await cut;
    await sync.idle();
    await expect(f.connectAs(held, 'mv-held-2')).rejects.toThrow();
    await f.authority.release({ serial: held.serial }, { id: 'test' });
    await sync.idle();
    const back = await f.connectAs(held, 'mv-held-3');
    await back.client.publishAsync(topics.ack('mv-held'), 'x', { qos: 1 });
    expect(f.broker.pid).toBe(pid);
  });

  it('a periodic CRL re-issue with no new entry reloads the CRL and disconnects nobody', async () => {
    const pid = f.broker.pid;
    const steady = await f.identity('mv-steady', ['vessel']);
    await sync.idle();
    const client = await f.connectAs(steady, 'mv-steady');
    const before = (await f.authority.currentCrl()).number;
    const crl = await f.authority.reissueCrl();
    expect(crl.number).toBe(before + 1);
    await sync.idle();
    await publisher.idle();
    expect(readFileSync(f.material.crlfile, 'utf8')).toBe(crl.pem);
    expect(sync.status().crlNumber).toBe(crl.number);
    expect(publisher.status().publishedCrlNumber).toBe(crl.number);
    expect(client.closes).toBe(0);
    expect(f.broker.pid).toBe(pid);
  });

  it('an entity that keeps a valid certificate loses only the session of the revoked one', async () => {
    const first = await f.identity('mv-two-certs', ['vessel']);
    const bystander = await f.identity('mv-bystander', ['vessel']);
    await sync.idle();
    const old = await f.connectAs(first, 'mv-two-certs-old');
    const by = await f.connectAs(bystander, 'mv-bystander');
    // One valid certificate per entity: a new enrollment supersedes the first, whose session stays (as a renewal's
    // does) until the first is declared compromised.
    const second = await f.identity('mv-two-certs', ['vessel']);
    await sync.idle();
    expect(old.closes).toBe(0);
    expect(f.authority.store.getCertificate(first.serial)?.status).toBe('revoked');
    const cut = old.nextClose();
    await f.authority.revoke({ serial: first.serial, reason: 1 }, { id: 'test' });
    await cut;
    await sync.idle();
    await expect(f.connectAs(first, 'mv-two-certs-old-2')).rejects.toThrow();
    const current = await f.connectAs(second, 'mv-two-certs-new');
    await current.client.publishAsync(topics.ack('mv-two-certs'), 'x', { qos: 1 });
    expect(by.closes).toBe(0);
  });

  it('relies on what the plugin does (2.0.11): an unknown client connects but may do nothing, disabling keeps permissions', async () => {
    const id = await f.identity('mv-facts', ['vessel']);
    await sync.idle();
    const desired = () =>
      desiredDynsecState(f.authority.store.listActiveIdentities(Date.now()), f.authority.config.serviceId);
    // Unknown to the plugin (certificate still valid): the handshake succeeds (mosquitto issue #2999), and the
    // deny-by-default ACL leaves it nothing. This is why revocation needs the CRL as well as the plugin.
    await link.control!.runAll([{ command: 'deleteClient', username: 'mv-facts' }]);
    const unknown = await f.connectAs(id, 'mv-facts-unknown');
    expect(await refusedCode(unknown.client.publishAsync(topics.ack('mv-facts'), 'x', { qos: 1 }))).toBe(135);
    expect(await refusedCode(unknown.client.subscribeAsync(topics.cmd('mv-facts'), { qos: 1 }))).toMatch(
      /Not authorized/u,
    );
    // Disabled: its sessions are cut, but it may connect again with its permissions (only password logins check
    // the flag), so a revocation deletes the client rather than disabling it.
    await link.control!.reconcile(desired());
    const known = await f.connectAs(id, 'mv-facts-known');
    const cut = known.nextClose();
    await link.control!.runAll([{ command: 'disableClient', username: 'mv-facts' }]);
    await cut;
    const disabled = await f.connectAs(id, 'mv-facts-disabled');
    await disabled.client.publishAsync(topics.ack('mv-facts'), 'x', { qos: 1 });
    // The reconciliation sees the flag and clears it.
    expect(await link.control!.reconcile(desired())).toEqual([
      { command: 'enableClient', username: 'mv-facts' },
    ]);
    expect(await link.control!.reconcile(desired())).toEqual([]);
  });
});
