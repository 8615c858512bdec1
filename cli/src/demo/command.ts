/** `helmlink demo` (`npm run demo`): the whole chain on this machine, with progress lines and a summary. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { defineCommand, UsageError, EXIT_OK, type CliIO } from '@helmlink/protocol/node';
import { openInBrowser, removeLauncher } from './open-browser';
import { startTopology, type BrokerKind, type Topology } from './topology';
import { mintLinksOnEnter } from '@helmlink/app-main/cli';

const DEFAULT_PORTS = { ca: 8443, mqtt: 8883, console: 8480 };

/** The default data folder: $XDG_DATA_HOME/helmlink-demo, else ~/.local/share/helmlink-demo (per-user). */
export function defaultDemoDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'helmlink-demo');
  if (process.platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', 'helmlink-demo');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'helmlink-demo');
}

const port = (value: string | undefined, fallback: number, option: string): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`invalid ${option} ${value}`);
  return n;
};

/** The Electron executable when the electron package's binary was downloaded, else undefined. */
function electronBinary(): string | undefined {
  try {
    const pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const bin = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

function summary(t: Topology, io: CliIO, extra: string[]): void {
  const fp = t.identities.rootFingerprint.match(/.{2}/gu)!.join(':');
  const lines = [
    '',
    `Helmlink demo is running (data in ${t.dataDir})`,
    `  CA server     ${t.urls.ca}`,
    `                root SHA-256 ${fp}`,
    `  MQTT broker   ${t.urls.mqtt}  ${t.broker.version}: mutual TLS, CRL and topic ACL from the CA`,
    ...(t.urls.console
      ? [
          `  Console       ${t.urls.console}`,
          '                (one-time link: it logs this browser in; press Enter here for a new one)',
        ]
      : []),
    '  Vessels (simulated, IEC 61162-450 groups + cameras):',
    ...t.identities.vessels.map(
      (v) =>
        `    ${v.id}  ${v.name.padEnd(20)} MMSI ${v.mmsi}  flag ${v.flag}  ${v.streams} streams  cert ${v.serial.slice(0, 12)}…`,
    ),
    `  Pilot         ${t.identities.pilot.id} (${t.identities.pilot.roles.join(' + ')}), enrolled in the console; key passphrase ${t.identities.pilot.passphrase}`,
    `  Organisation  ${t.identities.organization}; CA service identity ${t.identities.caService}; broker certificate ${t.identities.brokerSerial.slice(0, 12)}…`,
    ...extra,
    '',
    'Try: Fleet tab → switch CAM-BOW off on IMO9074729 and Send (verified ack, round-trip time, data indicator stops);',
    '     switch VDRD off → the ship refuses it (VDR must keep recording) and the console shows why;',
    '     PKI admin tab → revoke a vessel: the broker cuts it off and its state is flagged unverified.',
    `Logs: ${join(t.dataDir, 'logs', 'demo.log')}. Ctrl-C stops everything.`,
    '',
  ];
  io.stdout.write(lines.join('\n'));
}

export const demoCommand = defineCommand({
  name: 'demo',
  summary:
    'Run the whole system locally: CA, broker with mutual TLS and ACLs, three simulated vessels, the console',
  usage: `
Usage: helmlink demo [--data DIR] [--reset] [--broker auto|mosquitto|embedded | --mqtt-url URL] [--ca-port N]
                     [--mqtt-port N] [--console-port N] [--no-open] [--simulate-interval MS] [--log-level LEVEL]

Creates (or reuses) a local PKI in DIR, starts the CA server, the MQTT broker with the generated TLS, CRL and ACL
configuration, enrolls three simulated vessels and a demo pilot who is also a PKI administrator, and opens the
operator console (web bridge on 127.0.0.1; a browser is opened when there is a desktop). Ctrl-C stops everything.

Options:
  --data DIR            data folder (default: $XDG_DATA_HOME/helmlink-demo or ~/.local/share/helmlink-demo)
  --reset               delete the data folder first and start over (new PKI, new identities)
  --broker KIND         auto (default: Mosquitto when installed, else the embedded aedes broker), mosquitto, embedded
  --ca-port N           CA server HTTPS port (default ${DEFAULT_PORTS.ca}; 0 = any free port)
  --mqtt-port N         MQTT over TLS port (default ${DEFAULT_PORTS.mqtt}; 0 = any free port)
  --mqtt-url URL        use your own broker at mqtts://host:port instead of starting one: configure it with the
                        material the CA writes to DIR/broker (see the README) and reload it after revocations
  --console-port N      console web bridge port (default ${DEFAULT_PORTS.console}; 0 = any free port)
  --no-open             do not open a browser
  --simulate-interval MS  interval between simulated samples per stream (default 1000)
  --log-level LEVEL     log level of the components in DIR/logs/demo.log (default warn)

The demo keeps its passphrases in DIR/secrets.json (mode 0600) for convenience: never do that in production.

Exit codes: 0 stopped cleanly, 1 refused (port in use, missing tool, ...), 2 usage.
`,
  options: {
    data: { type: 'string' },
    reset: { type: 'boolean' },
    broker: { type: 'string' },
    'ca-port': { type: 'string' },
    'mqtt-port': { type: 'string' },
    'mqtt-url': { type: 'string' },
    'console-port': { type: 'string' },
    'no-open': { type: 'boolean' },
    'simulate-interval': { type: 'string' },
    'log-level': { type: 'string' },
  },
  async run({ values, io }) {
    const kind = values.broker ?? 'auto';
    if (!['auto', 'mosquitto', 'embedded'].includes(kind))
      throw new UsageError(`--broker must be auto, mosquitto or embedded, not ${values.broker}`);
    if (
      values['mqtt-url'] !== undefined &&
      (values.broker !== undefined || values['mqtt-port'] !== undefined)
    ) {
      throw new UsageError('--mqtt-url (your own broker) excludes --broker and --mqtt-port');
    }
    if (values['mqtt-url'] !== undefined && !/^mqtts:\/\/[^/\s@]+$/u.test(values['mqtt-url']))
      throw new UsageError(
        '--mqtt-url must be mqtts://host:port (no user or password: the demo authenticates with certificates, and process arguments are visible to every local user)',
      );
    const broker =
      values['mqtt-url'] !== undefined
        ? { url: values['mqtt-url'] }
        : (kind as Exclude<BrokerKind, 'external'> | 'auto');
    const logLevel = (values['log-level'] ?? 'warn') as 'warn';
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(logLevel))
      throw new UsageError(`invalid --log-level ${values['log-level']}`);
    const interval = values['simulate-interval'] === undefined ? 1000 : Number(values['simulate-interval']);
    if (!Number.isInteger(interval) || interval < 10 || interval > 60_000)
      throw new UsageError('--simulate-interval must be 10..60000 ms');
    const dataDir = resolve(io.cwd, values.data ?? defaultDemoDataDir(io.env));
    const t0 = Date.now();
    const say = (step: string, message: string) =>
      io.stdout.write(
        `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${step.padEnd(8)} ${message}\n`,
      );

    // Signals during start-up stop what has started; after start-up they stop the topology.
    let topology: Topology | undefined;
    let stoppingSince = 0;
    let release: () => void = () => undefined;
    const done = new Promise<void>((r) => (release = r));
    const onSignal = (signal: NodeJS.Signals) => {
      if (stoppingSince) {
        // A terminal's Ctrl-C reaches npm and this process at once (npm forwards it too): ignore the echo.
        if (Date.now() - stoppingSince < 3000) return;
        io.stderr.write(`\n${signal} again: exiting now (Mosquitto is stopped on exit)\n`);
        process.exit(130);
      }
      stoppingSince = Date.now();
      io.stdout.write(`\n${signal}: stopping the console, vessels, broker and CA server...\n`);
      release();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      if (values.reset) say('reset', `deleting ${dataDir}`);
      const starting = startTopology({
        dataDir,
        reset: values.reset ?? false,
        broker,
        ports: {
          ca: port(values['ca-port'], DEFAULT_PORTS.ca, '--ca-port'),
          mqtt: port(values['mqtt-port'], DEFAULT_PORTS.mqtt, '--mqtt-port'),
          console: port(values['console-port'], DEFAULT_PORTS.console, '--console-port'),
        },
        simulateIntervalMs: interval,
        logLevel,
        onProgress: (e) => say(e.step, e.message),
      });
      topology = await Promise.race([starting, done.then(() => undefined)]);
      if (!topology) {
        // Interrupted while starting: let the start finish its cleanup path, then stop what it built.
        await starting.then((t) => t.stop()).catch(() => undefined);
        io.stdout.write('stopped\n');
        return EXIT_OK;
      }
      const extra: string[] = [];
      const electron = electronBinary();
      if (electron) {
        const { token } = topology.createToken({
          entityId: 'pilot-desktop',
          roles: ['pilot', 'admin'],
          ttlSeconds: 86_400,
        });
        extra.push(
          `  Desktop app   Electron is installed: run \`npm start\` and enroll as pilot-desktop with token ${token}`,
        );
      }
      // The browser gets a fresh one-time link through a private launcher page, never on a command line.
      const consoleServer = topology.console;
      const opened =
        !values['no-open'] && consoleServer
          ? openInBrowser(consoleServer.newTokenUrl(), topology.dataDir, io.env)
          : undefined;
      if (opened) extra.push(`  Browser       opened the console with ${opened}`);
      else if (topology.urls.console)
        extra.push('  Browser       open the console link above in a browser on this machine');
      summary(topology, io, extra);

      const web = topology.console;
      const stopLinks =
        process.stdin.isTTY && web
          ? mintLinksOnEnter(process.stdin, io.stdout, () => web.newTokenUrl())
          : () => undefined;
      await done;
      stopLinks();
      removeLauncher(topology.dataDir);
      await topology.stop();
      io.stdout.write('stopped: every component closed, stores flushed\n');
      return EXIT_OK;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
});
