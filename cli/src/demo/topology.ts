/**
 * The whole Helmlink chain on one machine, started programmatically: CA server, MQTT broker (Mosquitto or the
 * embedded aedes broker) with mutual TLS, CRL and the CA's topic ACL, simulated vessels, and the operator console
 * behind its loopback web bridge. `npm run demo` and the end-to-end tests both call {@link startTopology}.
 *
 * Everything runs in this process except Mosquitto (a child process, stopped in {@link Topology.stop}). State lives
 * in `dataDir` and is reused on the next start: ca/ (CA directory), broker/, vessels/<id>/, console/, secrets.json.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import { HelmlinkError, certificateToPem, parseCertificate, renderMosquittoAcl, type AclSubject, type Role } from '@helmlink/protocol';
import { brokerPaths, initAuthority, readCaConfig, startCaServer, writeBrokerMaterial, writeCrlAndAcl, type CaServer, type IssuedCrl, type TokenRequest } from '@helmlink/ca-server';
import { enrollVessel, identityPaths, parseVesselConfig, startVessel, type VesselConfig, type VesselHandle } from '@helmlink/vessel';
import { createConsoleServices, startConsoleServer, type ConsoleServer, type ConsoleServices, type Keychain } from '@helmlink/app-main';
import { assertPortFree, freePort } from '@helmlink/protocol/node';
import { startEmbeddedBroker, type EmbeddedBroker } from '../broker/embedded';
import { mosquittoVersion, startMosquitto, type MosquittoProcess } from '../broker/mosquitto';
import { DEMO_PILOT, DEMO_VESSELS, type DemoPerson, type DemoVessel } from './fleet';

export type BrokerKind = 'mosquitto' | 'embedded' | 'external';

/** One progress line of the start-up (the demo prints them; tests may log them). */
export interface ProgressEvent {
  step: 'pki' | 'ca' | 'broker' | 'vessels' | 'pilot' | 'console' | 'stop';
  message: string;
}

export interface TopologyOptions {
  /** Where everything is kept (created when missing, reused otherwise). */
  dataDir: string;
  /** Start over: delete `dataDir` first. */
  reset?: boolean;
  /** Ports; 0 or absent = a free port picked by the OS. An explicit port that is taken fails with ERR_PORT_IN_USE. */
  ports?: { ca?: number; mqtt?: number; console?: number };
  /**
   * `auto` (default): Mosquitto when installed, otherwise the embedded broker. `{ url }`: a broker you run
   * (mqtts://host:port) configured with the material the CA writes to dataDir/broker (certificate, CA bundle, CRL,
   * ACL, mosquitto.conf); the topology keeps those files current but does not signal the broker.
   */
  broker?: Exclude<BrokerKind, 'external'> | 'auto' | { url: string };
  vessels?: readonly DemoVessel[];
  /** The console's identity; enrolled and unlocked before the console opens (unless `console.enroll` is false). */
  pilot?: DemoPerson;
  /**
   * The console: `false` = none; otherwise its web bridge is started. `enroll: false` leaves the console without
   * an identity (the first-run wizard shows), e.g. for a test that enrolls through the UI.
   */
  console?: false | { enroll?: boolean; keychain?: Keychain | null };
  /** Interval between simulated samples per ON stream (default 1000 ms). */
  simulateIntervalMs?: number;
  /** How often the broker's ACL follows new enrollments in the CA store (default 1000 ms). */
  aclPollMs?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Log level of the in-process components (default `warn`), written to dataDir/logs/demo.log. */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
}

export interface VesselSummary {
  id: string;
  name: string;
  imo: string;
  mmsi: string;
  flag: string;
  serial: string;
  streams: number;
}

export interface Topology {
  dataDir: string;
  broker: { kind: BrokerKind; version: string; url: string; port: number };
  urls: { ca: string; mqtt: string; console?: string };
  ports: { ca: number; mqtt: number; console?: number };
  identities: {
    organization: string;
    rootFingerprint: string;
    caService: string;
    brokerSerial: string;
    vessels: VesselSummary[];
    pilot: { id: string; roles: Role[]; enrolled: boolean; serial?: string; passphrase: string };
  };
  ca: CaServer;
  vessels: Map<string, VesselHandle>;
  console?: ConsoleServer;
  consoleServices?: ConsoleServices;
  /** Creates a one-time enrollment token (as the CA CLI would). */
  createToken(req: TokenRequest): { token: string; expiresAt: string };
  /** Rewrites the broker's CRL and ACL from the CA store now and applies them (cuts revoked sessions). */
  syncBroker(): Promise<void>;
  /** Stops everything started here, in reverse order. Safe to call twice. */
  stop(): Promise<void>;
}

interface Secrets {
  caPassphrase: string;
  vesselPassphrase: string;
  consolePassphrase: string;
}

const HOSTS = ['localhost', '127.0.0.1', '::1'];
const VDR_GUARD = fileURLToPath(new URL('./hooks/vdr-guard.mjs', import.meta.url));

/** Reads or creates the demo's passphrases (demo convenience: kept 0600 in the data dir; never do this in production). */
function loadSecrets(dir: string): Secrets {
  const path = join(dir, 'secrets.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as Secrets;
  const gen = () => randomBytes(18).toString('base64url');
  const s: Secrets = { caPassphrase: gen(), vesselPassphrase: gen(), consolePassphrase: gen() };
  writeFileSync(path, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  return s;
}

/** Picks the port: explicit ones must be free; 0/absent asks the OS. */
async function portFor(explicit: number | undefined, what: string): Promise<number> {
  if (explicit) {
    await assertPortFree(explicit, what);
    return explicit;
  }
  return freePort();
}

/** Starts the topology. On failure everything already started is stopped before the error is rethrown. */
export async function startTopology(options: TopologyOptions): Promise<Topology> {
  const progress = options.onProgress ?? (() => undefined);
  const dataDir = options.dataDir;
  if (options.reset) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o700 });
  const logger: Logger = pino({ level: options.logLevel ?? 'warn' }, pino.destination({ dest: join(dataDir, 'logs', 'demo.log'), sync: true }));
  const secrets = loadSecrets(dataDir);
  const vessels = options.vessels ?? DEMO_VESSELS;
  const pilot = options.pilot ?? DEMO_PILOT;

  const stops: { what: string; fn: () => Promise<void> }[] = [];
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      for (const s of stops.reverse()) {
        try {
          await s.fn();
        } catch (err) {
          logger.error({ err: (err as Error).message }, `stopping ${s.what} failed`);
        }
      }
      logger.flush?.();
    })();
    return stopped;
  };

  try {
    // --- broker choice and ports -----------------------------------------------------------------------------------
    const wanted = options.broker ?? 'auto';
    const external = typeof wanted === 'object' ? new URL(wanted.url) : undefined;
    if (external && external.protocol !== 'mqtts:') throw new TypeError(`the broker URL must be mqtts://host:port, not ${external.href}`);
    const mqVersion = mosquittoVersion();
    if (wanted === 'mosquitto' && !mqVersion) {
      throw new HelmlinkError('ERR_TOOL_MISSING', 'mosquitto is not installed (Debian/Ubuntu: sudo apt-get install mosquitto), or use the embedded broker');
    }
    const kind: BrokerKind = external ? 'external' : wanted === 'auto' ? (mqVersion ? 'mosquitto' : 'embedded') : (wanted as BrokerKind);
    const caPort = await portFor(options.ports?.ca, 'CA server (--ca-port)');
    const mqttPort = external ? Number(external.port || 8883) : await portFor(options.ports?.mqtt, 'MQTT broker (--mqtt-port)');
    const mqttUrl = external ? `mqtts://${external.host}` : `mqtts://127.0.0.1:${mqttPort}`;
    const brokerHosts = external && !HOSTS.includes(external.hostname.replace(/^\[|\]$/gu, '')) ? [...HOSTS, external.hostname.replace(/^\[|\]$/gu, '')] : HOSTS;

    // --- PKI -----------------------------------------------------------------------------------------------------
    const caDir = join(dataDir, 'ca');
    let config;
    try {
      config = await readCaConfig(caDir);
      progress({ step: 'pki', message: `reusing the PKI in ${caDir}` });
    } catch (err) {
      if (!(err instanceof HelmlinkError && err.code === 'ERR_CA_NOT_INITIALIZED')) throw err;
      progress({ step: 'pki', message: `creating a root CA, an issuing CA and the first admin in ${caDir}` });
      await initAuthority({ dir: caDir, passphrase: secrets.caPassphrase, org: 'Helmlink Demo Fleet', serverHosts: HOSTS });
      config = await readCaConfig(caDir);
    }

    // --- CA server (its CRL publisher connects once the broker is up; it retries every 2 s) ----------------------
    const ca = await startCaServer({ dir: caDir, passphrase: secrets.caPassphrase, port: caPort, host: '127.0.0.1', mqttUrl });
    stops.push({ what: 'CA server', fn: () => ca.close() });
    const authority = ca.authority;
    progress({ step: 'ca', message: `CA server on ${ca.url} (root fingerprint ${ca.rootFingerprint.slice(0, 16)}…)` });

    // --- broker: material from the CA (certificate, CA bundle, CRL, ACL, mosquitto.conf) -------------------
    const brokerDir = join(dataDir, 'broker');
    const paths = brokerPaths(brokerDir);
    const runAsUser = typeof process.getuid === 'function' && process.getuid() === 0 ? 'root' : undefined;
    let brokerSerial: string | undefined;
    const reusable = (() => {
      if (!existsSync(paths.certfile) || !existsSync(paths.keyfile) || !existsSync(paths.conf)) return false;
      try {
        if (!external && !readFileSync(paths.conf, 'utf8').includes(`listener ${mqttPort} 127.0.0.1\n`)) return false;
        const cert = parseCertificate(readFileSync(paths.certfile, 'utf8'));
        const serial = cert.serialNumber.toLowerCase();
        if (authority.getCertificate(serial).status !== 'valid' || cert.notAfter.getTime() < Date.now() + 86_400_000) return false;
        brokerSerial = serial;
        return true;
      } catch {
        return false;
      }
    })();
    if (reusable) await writeCrlAndAcl(authority, brokerDir, runAsUser);
    else {
      const material = await writeBrokerMaterial(authority, {
        outDir: brokerDir,
        hosts: brokerHosts,
        port: mqttPort,
        ...(external ? {} : { listen: '127.0.0.1' }),
        ...(runAsUser ? { runAsUser } : {}),
      });
      brokerSerial = material.brokerSerial;
    }
    const subjectsNow = (): AclSubject[] => authority.store.listActiveIdentities(authority.clock().getTime());
    // Revocations count once a CRL carries them: the store marks a certificate revoked a moment before the CRL
    // with it is issued, and a restart in between would reload the old CRL and let the revoked client back in.
    const revokedIn = (issued: IssuedCrl): string =>
      issued.crl.entries
        .map((e) => e.serialNumber.toLowerCase())
        .sort()
        .join(',');
    let aclText = readFileSync(paths.aclfile, 'utf8');
    const initialCrl = await authority.currentCrl();
    let revoked = revokedIn(initialCrl);
    let crlNumber = initialCrl.number;

    let mosquitto: MosquittoProcess | undefined;
    let embedded: EmbeddedBroker | undefined;
    if (kind === 'mosquitto') {
      mosquitto = await startMosquitto({
        configPath: paths.conf,
        port: mqttPort,
        onOutput: (text) => logger.info({ mosquitto: text.trim() }, 'mosquitto'),
      });
      stops.push({ what: 'Mosquitto', fn: () => mosquitto!.stop() });
    } else if (kind === 'embedded') {
      embedded = await startEmbeddedBroker({
        port: mqttPort,
        cert: readFileSync(paths.certfile, 'utf8'),
        key: readFileSync(paths.keyfile, 'utf8'),
        ca: readFileSync(paths.cafile, 'utf8'),
        crl: readFileSync(paths.crlfile, 'utf8'),
        subjects: subjectsNow(),
        onEvent: (e) => logger.warn(e, 'embedded broker refused'),
      });
      stops.push({ what: 'embedded broker', fn: () => embedded!.close() });
    }
    const version =
      kind === 'mosquitto'
        ? `Mosquitto ${mqVersion}`
        : kind === 'external'
          ? 'your broker'
          : `embedded aedes broker (MQTT 3.1.1)${wanted === 'auto' ? ', as Mosquitto is not installed' : ''}`;
    progress({
      step: 'broker',
      message:
        kind === 'external'
          ? `using your broker at ${mqttUrl}: configure it with the CA's material in ${brokerDir} (mosquitto.conf, certificate, CA bundle, CRL, ACL) and reload it after enrollments and revocations`
          : `${version} on ${mqttUrl}: mutual TLS, CRL and topic ACL from the CA (${brokerDir})`,
    });

    // Broker sync: new enrollments extend the ACL (reload); revocations rewrite the CRL and cut open sessions.
    let syncing: Promise<void> = Promise.resolve();
    const syncBroker = (): Promise<void> => {
      // One sync at a time; a failed one (logged by the caller) must not block the next.
      syncing = syncing.catch(() => undefined).then(async () => {
        const issued = await authority.currentCrl();
        const nextRevoked = revokedIn(issued);
        const nextAcl = renderMosquittoAcl(subjectsNow());
        const nextCrl = issued.number;
        const aclChanged = nextAcl !== aclText;
        const revokedChanged = nextRevoked !== revoked;
        if (!aclChanged && !revokedChanged && nextCrl === crlNumber) return;
        await writeCrlAndAcl(authority, brokerDir, runAsUser);
        aclText = readFileSync(paths.aclfile, 'utf8');
        revoked = nextRevoked;
        crlNumber = nextCrl;
        const crl = readFileSync(paths.crlfile, 'utf8');
        if (embedded) {
          const cut = await embedded.update({ crl, subjects: subjectsNow() });
          if (cut.length) progress({ step: 'broker', message: `cut the sessions of revoked ${cut.join(', ')}` });
        } else if (kind === 'external') {
          progress({ step: 'broker', message: `the CA's CRL/ACL changed: reload your broker (files in ${brokerDir})` });
        } else if (mosquitto) {
          // SIGHUP reloads CRL and ACL but keeps open sessions of revoked clients: restart to cut them.
          // (A new CRL without new revocations, or a new identity, only needs the reload.)
          if (revokedChanged) {
            await mosquitto.restart();
            progress({ step: 'broker', message: 'revocation: CRL reloaded and Mosquitto restarted to cut revoked sessions' });
          } else mosquitto.reload();
        }
        logger.info({ aclChanged, revokedChanged }, 'broker synced');
      });
      return syncing;
    };
    const offCrl = authority.onCrl(() => syncBroker().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'broker sync failed')));
    const poll = setInterval(() => void syncBroker().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'broker sync failed')), options.aclPollMs ?? 1000);
    poll.unref();
    stops.push({
      what: 'broker sync',
      fn: async () => {
        clearInterval(poll);
        offCrl();
        await syncing.catch(() => undefined);
      },
    });

    // --- vessels -----------------------------------------------------------------------------------------------
    const handles = new Map<string, VesselHandle>();
    const summaries: VesselSummary[] = [];
    for (const v of vessels) {
      const vesselDir = join(dataDir, 'vessels', v.id);
      const cfg: VesselConfig = parseVesselConfig({
        vesselId: v.id,
        dataDir: vesselDir,
        ca: { url: ca.url, rootFingerprint: ca.rootFingerprint },
        broker: { url: mqttUrl, protocolVersion: kind === 'embedded' ? 4 : 5, reconnect: { initialDelayMs: 200, maxDelayMs: 5000, jitter: 0.5 } },
        key: { passphrase: { env: 'HELMLINK_DEMO_VESSEL_PASSPHRASE' } },
        catalog: v.catalog,
        simulate: { intervalMs: options.simulateIntervalMs ?? 1000 },
        crl: { graceSeconds: 3600, failClosed: true, refreshSeconds: 60 },
        state: { fsync: true },
        log: { level: options.logLevel ?? 'warn' },
        // The ship's systems refuse to switch off the VDR feed: shows a verified `rejected` ack with its reason.
        hook: { command: process.execPath, args: [VDR_GUARD], timeoutMs: 10_000 },
      });
      const enrolled = existsSync(identityPaths(vesselDir).cert);
      if (!enrolled) {
        const { token } = authority.createEnrollmentToken({ entityId: v.id, roles: ['vessel'], imo: v.imo, mmsi: v.mmsi, flag: v.flag, ttlSeconds: 600 }, { id: 'demo' });
        await enrollVessel(cfg, token, secrets.vesselPassphrase);
        // The broker must know the new vessel (ACL) before it connects and publishes its state.
        await syncBroker();
      }
      const handle = await startVessel(cfg, { simulate: true, passphrase: secrets.vesselPassphrase, logger: logger.child({ vessel: v.id }) });
      stops.push({ what: `vessel ${v.id}`, fn: () => handle.close() });
      handles.set(v.id, handle);
      const serial = handle.identity.chain[0]!.serialNumber.toLowerCase();
      summaries.push({ id: v.id, name: v.name, imo: v.imo, mmsi: v.mmsi, flag: v.flag, serial, streams: v.catalog.streams.length });
      progress({ step: 'vessels', message: `${v.name} (${v.id}, MMSI ${v.mmsi}, flag ${v.flag}): ${enrolled ? 'identity reused' : 'enrolled'}, ${v.catalog.streams.length} streams, simulating` });
    }
    await syncBroker();

    // --- console -------------------------------------------------------------------------------------------
    let consoleServer: ConsoleServer | undefined;
    let services: ConsoleServices | undefined;
    let pilotSerial: string | undefined;
    const consoleOpt = options.console === undefined ? {} : options.console;
    if (consoleOpt !== false) {
      const consoleDir = join(dataDir, 'console');
      services = await createConsoleServices({ dataDir: consoleDir, keychain: consoleOpt.keychain ?? null, logger: logger.child({ part: 'console' }) });
      stops.push({ what: 'console services', fn: () => services!.close() });
      if (consoleOpt.enroll !== false) {
        let status = services.identity.status();
        if (status.state === 'none') {
          const { token } = authority.createEnrollmentToken({ entityId: pilot.id, roles: pilot.roles, ttlSeconds: 600 }, { id: 'demo' });
          status = await services.identity.enroll({
            caUrl: ca.url,
            rootFingerprint: ca.rootFingerprint,
            token,
            entityId: pilot.id,
            custody: 'passphrase',
            passphrase: secrets.consolePassphrase,
            brokerUrl: mqttUrl,
          });
          progress({ step: 'pilot', message: `${pilot.id} enrolled as ${pilot.roles.join(' + ')} (key sealed with the demo passphrase)` });
        } else {
          progress({ step: 'pilot', message: `reusing the console identity ${status.entityId ?? ''}` });
        }
        if (!services.identity.status().unlocked) await services.identity.unlock(secrets.consolePassphrase);
        services.settings.update({ brokerUrl: mqttUrl, caUrl: ca.url });
        pilotSerial = services.identity.status().certificate?.serial?.toLowerCase();
        await syncBroker();
        try {
          await services.commands.connect();
        } catch (err) {
          progress({ step: 'console', message: `the console could not connect to the broker: ${(err as Error).message}` });
        }
      }
      consoleServer = await startConsoleServer({ services, port: await portFor(options.ports?.console, 'console web bridge (--console-port)'), host: '127.0.0.1' });
      stops.push({ what: 'console web bridge', fn: () => consoleServer!.close() });
      progress({ step: 'console', message: `console web bridge on ${consoleServer.origin}` });
    }

    return {
      dataDir,
      broker: { kind, version, url: mqttUrl, port: mqttPort },
      urls: { ca: ca.url, mqtt: mqttUrl, ...(consoleServer ? { console: consoleServer.url } : {}) },
      ports: { ca: ca.port, mqtt: mqttPort, ...(consoleServer ? { console: consoleServer.port } : {}) },
      identities: {
        organization: config.organization,
        rootFingerprint: ca.rootFingerprint,
        caService: config.serviceId,
        brokerSerial: brokerSerial ?? '',
        vessels: summaries,
        pilot: { id: pilot.id, roles: pilot.roles, enrolled: consoleOpt !== false && consoleOpt.enroll !== false, ...(pilotSerial ? { serial: pilotSerial } : {}), passphrase: secrets.consolePassphrase },
      },
      ca,
      vessels: handles,
      ...(consoleServer ? { console: consoleServer } : {}),
      ...(services ? { consoleServices: services } : {}),
      createToken(req) {
        const t = authority.createEnrollmentToken(req, { id: 'demo' });
        return { token: t.token, expiresAt: t.expiresAt };
      },
      syncBroker,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The root certificate PEM of a running topology (for clients that pin it). */
export function rootPem(topology: Topology): string {
  return certificateToPem(topology.ca.authority.root);
}
