/**
 * The vessel with the real CA server and a Mosquitto configured from the CA's broker material (ACL from the store,
 * CRL publisher): `vessel enroll` with a one-time token pinned by root fingerprint, `vessel status`, live renewal
 * while commands flow, and revocation at the CA reaching the vessel over MQTT.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import {
  IEC_61162_450_CATALOG,
  buildStreamsSet,
  certificatesToPem,
  createTrust,
  encodePem,
  parseCertificates,
  signCommand,
  topics,
  validatePath,
  peekHeader,
  verifyAck,
  verifyState,
  SignerCertificates,
  type AckClaims,
} from '@helmlink/protocol';
import { CaClient } from '@helmlink/ca-client';
import { initAuthority, startCaServer, type CaServer } from '@helmlink/ca-server';
import { writeBrokerMaterial } from '../../../ca-server/src/broker/material';
import { ManagedMosquitto } from '@helmlink/ca-server/broker';
import { syncBroker } from '../../../ca-server/src/broker/sync';
import { CrlPublisher } from '../../../ca-server/src/broker/crl-publisher';
import {
  createKeyAndCsr,
  createNodeSigner,
  importPrivateKeyForTest,
  loadIdentity,
  loadVesselConfig,
  startVessel,
  vesselEnrollCommand,
  vesselStatusCommand,
  type CommandEvent,
} from './exports';
import { freePort } from '@helmlink/protocol/node';
import { until } from '../helpers/fleet';

const CA_PASS = 'ca passphrase for vessel tests';
const VESSEL_PASS = 'vessel key passphrase';
const VESSEL = 'MV-ENROLLED';

let dir: string;
let server: CaServer;
let admin: CaClient;
let broker: ManagedMosquitto;
let publisher: CrlPublisher;
let brokerOut: string;
let brokerPort: number;
let configPath: string;
const clients: MqttClient[] = [];

function io(env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    io: { stdout, stderr, stdin: new PassThrough(), env: { ...process.env, ...env }, cwd: dir },
    out: () => out,
    err: () => err,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'helmlink-vessel-ca-'));
  chmodSync(dir, 0o755);
  const init = await initAuthority({ dir: join(dir, 'ca'), passphrase: CA_PASS, org: 'Vessel Test Fleet' });
  server = await startCaServer({
    dir: join(dir, 'ca'),
    passphrase: CA_PASS,
    port: 0,
    host: '127.0.0.1',
    crlTimer: false,
  });
  brokerPort = await freePort();
  const material = await writeBrokerMaterial(server.authority, {
    outDir: join(dir, 'broker'),
    hosts: ['localhost', '127.0.0.1'],
    port: brokerPort,
    listen: '127.0.0.1',
  });
  brokerOut = material.outDir;
  broker = new ManagedMosquitto({ conf: material.conf, port: brokerPort });
  await broker.start();
  publisher = new CrlPublisher(server.authority, {
    url: `mqtts://127.0.0.1:${brokerPort}`,
    key: readFileSync(server.authority.paths.serverKey, 'utf8'),
    cert: readFileSync(server.authority.paths.serverCert, 'utf8'),
    passphrase: CA_PASS,
  });
  const adminCert = readFileSync(init.adminCertPath!, 'utf8');
  const adminKey = readFileSync(init.adminKeyPath!, 'utf8');
  admin = new CaClient({
    url: server.url,
    rootFingerprint: server.rootFingerprint,
    clientCert: adminCert,
    clientKey: adminKey,
    passphrase: CA_PASS,
  });
  configPath = join(dir, 'vessel.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      vesselId: VESSEL,
      dataDir: './vessel-data',
      ca: { url: server.url, rootFingerprint: server.rootFingerprint },
      broker: {
        url: `mqtts://127.0.0.1:${brokerPort}`,
        reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
      },
      key: { passphrase: { file: './passphrase.txt' } },
      renewal: { enabled: false },
      state: { fsync: false },
      log: { level: 'silent' },
    }),
  );
  writeFileSync(join(dir, 'passphrase.txt'), `${VESSEL_PASS}\n`, { mode: 0o600 });
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await publisher?.stop();
  await broker?.stop();
  await server?.close();
});

/**
 * A local attacker: reads every process's arguments (/proc/PID/cmdline of every PID, readable by every user) again and again
 * until `over` settles; counts the reads that showed a `vessel enroll` and those that showed `needle`.
 */
async function raceCmdline(
  needle: string,
  over: Promise<unknown>,
): Promise<{ sawEnroll: number; leaked: number }> {
  let done = false;
  void over.then(() => (done = true));
  let sawEnroll = 0;
  let leaked = 0;
  while (!done) {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/u.test(p))) {
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (cmdline.includes('vessel\0enroll')) sawEnroll++;
      if (cmdline.includes(needle)) leaked++;
    }
    await new Promise((r) => setImmediate(r));
  }
  return { sawEnroll, leaked };
}

/** Enrolls a pilot through the CA and returns its MQTT client and signer. */
async function enrollPilot(id: string) {
  const { token } = await admin.createToken({ entityId: id, roles: ['pilot'] });
  const { pkcs8, csrPem } = await createKeyAndCsr('ecdsa-p256', id);
  const issued = await new CaClient({ url: server.url, rootFingerprint: server.rootFingerprint }).enroll({
    csr: csrPem,
    token,
  });
  const chain = parseCertificates(issued.chain);
  const key = await importPrivateKeyForTest(pkcs8);
  return {
    id,
    serial: issued.serial,
    chain,
    keyPem: encodePem('PRIVATE KEY', pkcs8),
    signer: createNodeSigner(key, chain),
  };
}

async function connect(p: {
  id: string;
  chain: ReturnType<typeof parseCertificates>;
  keyPem: string;
}): Promise<MqttClient> {
  const client = mqtt.connect(`mqtts://127.0.0.1:${brokerPort}`, {
    clientId: `${p.id}-console`,
    key: p.keyPem,
    cert: certificatesToPem(p.chain),
    ca: server.authority.chainPem(),
    protocolVersion: 5,
    reconnectPeriod: 100,
  });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

describe('vessel with the real CA', () => {
  it('enrolls with a one-time token pinned by the root fingerprint, and refuses a wrong pin or a used token', async () => {
    const wrongPin = join(dir, 'wrong-pin.json');
    const cfg = JSON.parse(readFileSync(configPath, 'utf8')) as { ca: { rootFingerprint: string } };
    writeFileSync(
      wrongPin,
      JSON.stringify({
        ...cfg,
        dataDir: './other-data',
        ca: { ...cfg.ca, rootFingerprint: 'ab'.repeat(32) },
      }),
    );
    const { token } = await admin.createToken({ entityId: VESSEL, roles: ['vessel'] });
    const tokenFile = join(dir, 'enroll-token.txt');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    const refused = io();
    expect(
      await vesselEnrollCommand.main(['--config', wrongPin, '--token-file', tokenFile], refused.io),
    ).toBe(1);
    expect(refused.err()).toContain('ERR_SERVER_UNTRUSTED');

    const ok = io();
    expect(
      await vesselEnrollCommand.main(['--config', configPath, '--token-file', tokenFile, '--json'], ok.io),
    ).toBe(0);
    const result = JSON.parse(ok.out()) as { vesselId: string; crls: number };
    expect(result).toMatchObject({ vesselId: VESSEL, crls: 1 });
    for (const f of ['key.pem', 'cert.pem', 'root.pem', 'crl.pem'])
      expect(existsSync(join(dir, 'vessel-data', f))).toBe(true);
    expect(readFileSync(join(dir, 'vessel-data', 'key.pem'), 'utf8')).toContain(
      'BEGIN ENCRYPTED PRIVATE KEY',
    );

    // An enrolled folder is refused before the token is even sent (its key would be replaced silently) ...
    const keyBefore = readFileSync(join(dir, 'vessel-data', 'key.pem'), 'utf8');
    const enrolled = io({ HELMLINK_ENROLL_TOKEN: token });
    expect(await vesselEnrollCommand.main(['--config', configPath], enrolled.io)).toBe(1);
    expect(enrolled.err()).toContain('ERR_ALREADY_ENROLLED');
    expect(enrolled.err()).toContain('--force');
    expect(readFileSync(join(dir, 'vessel-data', 'key.pem'), 'utf8')).toBe(keyBefore);
    // ... and with --force the CA still refuses the used token, and the folder keeps its key.
    const again = io({ HELMLINK_ENROLL_TOKEN: token });
    expect(await vesselEnrollCommand.main(['--config', configPath, '--force'], again.io)).toBe(1);
    expect(again.err()).toContain('ERR_ENROLL_TOKEN_USED');
    expect(readFileSync(join(dir, 'vessel-data', 'key.pem'), 'utf8')).toBe(keyBefore);
  });

  it('re-enrolls an enrolled folder with --force and a new token: a new key and certificate', async () => {
    const before = readFileSync(join(dir, 'vessel-data', 'key.pem'), 'utf8');
    const certBefore = readFileSync(join(dir, 'vessel-data', 'cert.pem'), 'utf8');
    const { token } = await admin.createToken({ entityId: VESSEL, roles: ['vessel'] });
    const forced = io({ HELMLINK_ENROLL_TOKEN: token });
    expect(await vesselEnrollCommand.main(['--config', configPath, '--force'], forced.io)).toBe(0);
    expect(readFileSync(join(dir, 'vessel-data', 'key.pem'), 'utf8')).not.toBe(before);
    expect(readFileSync(join(dir, 'vessel-data', 'cert.pem'), 'utf8')).not.toBe(certBefore);
  });

  it('never takes the token from the process arguments: a racer reading /proc/*/cmdline finds nothing', async () => {
    const raceConfig = join(dir, 'race.json');
    const cfg = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(raceConfig, JSON.stringify({ ...cfg, vesselId: 'MV-RACE', dataDir: './race-data' }));
    // --token is refused before anything else happens, without echoing the value.
    const argv = io();
    expect(
      await vesselEnrollCommand.main(['--config', raceConfig, '--token', 'hlt_not-a-real-token'], argv.io),
    ).toBe(2);
    expect(argv.err()).toContain('--token is not accepted');
    expect(argv.err()).toContain('--token-file FILE, --token-file - (stdin) or HELMLINK_ENROLL_TOKEN');
    expect(argv.err()).not.toContain('hlt_not-a-real-token');
    const missing = io({ HELMLINK_ENROLL_TOKEN: '' });
    expect(await vesselEnrollCommand.main(['--config', raceConfig], missing.io)).toBe(2);
    expect(missing.err()).toContain('missing the enrollment token');

    const { token } = await admin.createToken({ entityId: 'MV-RACE', roles: ['vessel'] });
    const secret = token.slice(4);
    const cli = new URL('../../../cli/bin/helmlink.mjs', import.meta.url).pathname;
    const child = spawn(
      process.execPath,
      [cli, 'vessel', 'enroll', '--config', raceConfig, '--token-file', '-'],
      {
        cwd: dir,
        env: { ...process.env, HELMLINK_ENROLL_TOKEN: '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin!.end(`${token}\n`);
    const race = await raceCmdline(secret, exited);
    expect(await exited, output).toBe(0);
    expect(output).toContain('enrolled MV-RACE');
    expect(race.sawEnroll).toBeGreaterThan(0);
    expect(race.leaked).toBe(0);
    // Positive control: the same racer does find a secret that is in a process's arguments.
    const decoy = `hlt_${'d'.repeat(43)}`;
    const exposed = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)', 'vessel', 'enroll', decoy]);
    const control = await raceCmdline(decoy.slice(4), new Promise((r) => exposed.on('exit', r)));
    expect(control.leaked).toBeGreaterThan(0);
  });

  it('prints status: identity, certificate expiry, CRL age, broker reachability, streams', async () => {
    const s = io();
    expect(await vesselStatusCommand.main(['--config', configPath, '--json'], s.io)).toBe(0);
    const status = JSON.parse(s.out()) as {
      vesselId: string;
      roles: string[];
      crl: { stale: boolean };
      broker: { connection: string };
      streams: unknown[];
    };
    expect(status).toMatchObject({ vesselId: VESSEL, roles: ['vessel'], crl: { stale: false } });
    expect(status.broker.connection).toContain('reachable');
    expect(status.streams).toHaveLength(8);
  });

  it('renews its certificate live while commands flow, and a pilot revoked at the CA is cut off over MQTT', async () => {
    const anna = await enrollPilot('pilot-anna');
    const bert = await enrollPilot('pilot-bert');
    await syncBroker(server.authority, { outDir: brokerOut, broker }); // the new identities enter the broker ACL
    publisher.start();
    const config = await loadVesselConfig(configPath);
    const vessel = await startVessel(config, { passphrase: VESSEL_PASS });
    const commands: CommandEvent[] = [];
    vessel.events.on('command', (e: CommandEvent) => commands.push(e));
    await until(() => vessel.connected, 'vessel connected');
    const firstSerial = vessel.identity.certificate.serialNumber;

    const annaClient = await connect(anna);
    const acks: string[] = [];
    const states: string[] = [];
    await annaClient.subscribeAsync([topics.ack(VESSEL), topics.state(VESSEL)], { qos: 1 });
    annaClient.on('message', (t, p) => {
      if (t === topics.ack(VESSEL)) acks.push(p.toString());
      if (t === topics.state(VESSEL)) states.push(p.toString());
    });
    const send = async (i: number) => {
      const { token } = await signCommand(anna.signer, {
        clock: Date.now,
        audience: VESSEL,
        cmd: buildStreamsSet(IEC_61162_450_CATALOG, [IEC_61162_450_CATALOG.streams[i % 8]!.address]),
        lifetimeSeconds: 120,
      });
      await annaClient.publishAsync(topics.cmd(VESSEL), token, { qos: 1 });
      return token;
    };
    const tokens: string[] = [];
    for (let i = 0; i < 10; i++) tokens.push(await send(i));
    const renewal = vessel.renewNow();
    for (let i = 10; i < 20; i++) tokens.push(await send(i));
    await renewal;
    for (let i = 20; i < 30; i++) tokens.push(await send(i));
    await until(
      () => new Set(commands.filter((c) => c.verdict === 'applied').map((c) => c.jti)).size === 30,
      '30 applied',
    );
    expect(commands.filter((c) => c.verdict === 'applied')).toHaveLength(30);
    expect(vessel.state.seq).toBe(30);
    expect(vessel.identity.certificate.serialNumber).not.toBe(firstSerial);
    // The last ack is signed with the renewed certificate and verifies for the pilot.
    await until(() => acks.length >= 30, 'acks');
    const served = parseCertificates(server.authority.chainPem());
    const ackTrust = createTrust({
      trustAnchors: served.filter((c) => c.subject === c.issuer),
      intermediates: served.filter((c) => c.subject !== c.issuer),
      revocation: { mode: 'off' },
      validatePath,
    });
    // The acks name the vessel certificate by x5t#S256: a console knows it from the vessel's verified states.
    const renewed = Buffer.from(vessel.identity.certificate.rawData).toString('base64');
    await until(() => states.some((t) => (peekHeader(t)?.x5c as string[])[0] === renewed), 'a renewed state');
    const certificates = new SignerCertificates();
    for (const state of states)
      await verifyState(state, { trust: ackTrust, clock: Date.now, vesselId: VESSEL, certificates });
    const last = tokens[29]!;
    let lastAck: AckClaims | undefined;
    for (const a of acks) {
      try {
        lastAck = (
          await verifyAck(a, {
            trust: ackTrust,
            certificates,
            clock: Date.now,
            vesselId: VESSEL,
            audience: 'pilot-anna',
            commandToken: last,
          })
        ).claims;
      } catch {
        // another command's ack
      }
    }
    expect(lastAck?.status).toBe('applied');
    expect(peekHeader(acks[acks.length - 1]!)!['x5t#S256']).toBe(
      createHash('sha256').update(new Uint8Array(vessel.identity.certificate.rawData)).digest('base64url'),
    );
    expect(
      parseCertificates(readFileSync(join(dir, 'vessel-data', 'cert.pem'), 'utf8'))[0]!.serialNumber,
    ).toBe(vessel.identity.certificate.serialNumber);

    // Revocation at the CA: the CRL reaches the vessel over the retained MQTT topic.
    const crlEvents: unknown[] = [];
    vessel.events.on('crl', (e) => crlEvents.push(e));
    await admin.revoke({ serial: bert.serial, reason: 1, description: 'key compromise (test)' });
    await until(() => crlEvents.length > 0, 'CRL over MQTT');
    // Bert's connection is refused by the broker now; a relay (here Anna's connection) delivers his signed command.
    const { token: revoked } = await signCommand(bert.signer, {
      clock: Date.now,
      audience: VESSEL,
      cmd: buildStreamsSet(IEC_61162_450_CATALOG, []),
    });
    await until(() => annaClient.connected, 'anna reconnected after the broker sync');
    await annaClient.publishAsync(topics.cmd(VESSEL), revoked, { qos: 1 });
    await until(() => commands.length === 31, 'revoked command handled');
    expect(commands[30]).toMatchObject({ verdict: 'dropped', reason: 'ERR_CHAIN_REVOKED' });
    expect(await vessel.refreshCrl()).toBe(false); // HTTPS has nothing newer
    await vessel.close();
  });

  it('renews on its own once 2/3 of the lifetime has passed, and persists the new identity', async () => {
    const config = await loadVesselConfig(configPath);
    const before = loadIdentity;
    const current = await before(config.dataDir, VESSEL_PASS);
    const { notBefore, notAfter } = current.certificate;
    const at = notBefore.getTime() + (notAfter.getTime() - notBefore.getTime()) * 0.75;
    const offset = at - Date.now();
    // The listener's own log is kept so that a failure here says what the vessel was doing.
    const logLines: string[] = [];
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => logLines.push(chunk.toString('utf8').trim()));
    const logger = pino({ level: 'debug' }, logStream);
    const vessel = await startVessel(
      { ...config, renewal: { ...config.renewal, enabled: true } },
      { passphrase: VESSEL_PASS, clock: () => Date.now() + offset, logger },
    );
    const renewed: unknown[] = [];
    vessel.events.on('renewed', (e) => renewed.push(e));
    try {
      await until(() => renewed.length === 1, 'automatic renewal', 25_000);
      expect(vessel.identity.certificate.serialNumber).not.toBe(current.certificate.serialNumber);
      await until(() => vessel.connected, 'reconnected with the new certificate', 25_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nvessel log:\n${logLines.slice(-40).join('\n')}`, {
        cause: err,
      });
    } finally {
      await vessel.close();
    }
    expect((await before(config.dataDir, VESSEL_PASS)).certificate.serialNumber).toBe(
      vessel.identity.certificate.serialNumber,
    );
  }, 60_000);
});
