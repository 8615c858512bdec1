/**
 * Step 4, the vessels: each is enrolled once (token from the CA, key sealed with the demo passphrase), the broker
 * learns it before it connects, and its listener runs as the CLI runs it: `helmlink vessel run --simulate` in its
 * own process (vessel-process.ts), restarted if it dies. A vessel whose certificate is revoked is stopped and left
 * stopped — one log line and one alert, never a listener retrying a refused connection forever.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCertificates } from '@helmlink/protocol';
import { writeFileAtomic } from '@helmlink/protocol/node';
import type { CaServer } from '@helmlink/ca-server';
import { enrollVessel, identityPaths, loadIdentity, parseVesselConfig } from '@helmlink/vessel';
import type { DemoVessel } from '../fleet';
import type { DemoVesselHandle, TopologyOptions, VesselSummary } from '../topology-types';
import { VesselProcess } from '../vessel-process';
import type { BrokerPlan } from './broker-plan';
import type { TopologyRun } from './run';

const VDR_GUARD = fileURLToPath(new URL('../hooks/vdr-guard.mjs', import.meta.url));
const PASSPHRASE_ENV = 'HELMLINK_DEMO_VESSEL_PASSPHRASE';

/** The listener configuration of a demo vessel, as written to its vessel.json. */
function vesselConfig(
  v: DemoVessel,
  vesselDir: string,
  ca: CaServer,
  plan: BrokerPlan,
  options: TopologyOptions,
): Record<string, unknown> {
  return {
    vesselId: v.id,
    dataDir: vesselDir,
    ca: { url: ca.url, rootFingerprint: ca.rootFingerprint },
    broker: {
      url: plan.mqttUrl,
      protocolVersion: plan.kind === 'embedded' ? 4 : 5,
      reconnect: { initialDelayMs: 200, maxDelayMs: 5000, jitter: 0.5 },
    },
    key: { passphrase: { env: PASSPHRASE_ENV } },
    catalog: v.catalog,
    simulate: { intervalMs: options.simulateIntervalMs ?? 1000 },
    crl: { graceSeconds: 3600, failClosed: true, refreshSeconds: 60 },
    state: { fsync: true },
    // Commands are logged at info; the log goes to logs/VESSEL.log, not the terminal.
    log: { level: 'info' },
    // The ship's systems refuse to switch off the VDR feed: shows a verified `rejected` ack with its reason.
    hook: { command: process.execPath, args: [VDR_GUARD], timeoutMs: 10_000 },
  };
}

/** The serial of the certificate the vessel holds now (it changes with each renewal). */
const currentSerial = (vesselDir: string): string =>
  parseCertificates(readFileSync(identityPaths(vesselDir).cert, 'utf8'))[0]!.serialNumber.toLowerCase();

/** Why a vessel may not run, or undefined when its certificate is valid. */
function refusal(ca: CaServer, vesselDir: string): string | undefined {
  const serial = currentSerial(vesselDir);
  let status: string;
  try {
    status = ca.authority.getCertificate(serial).status;
  } catch {
    return `its certificate ${serial} is unknown to the CA`;
  }
  if (status === 'valid') return undefined;
  return `its certificate ${serial} is ${status === 'hold' ? 'on hold' : 'revoked'}`;
}

/** One log line and one alert: the listener is stopped for good. */
function reportStopped(run: TopologyRun, ca: CaServer, id: string, why: string): void {
  const message = `the listener of ${id} is stopped and not restarted: ${why}`;
  run.progress({ step: 'vessels', message });
  run.logger.warn({ vessel: id }, message);
  ca.authority.alerts.raise('vessel_stopped', 'warning', `demo: ${message}`, { vesselId: id, reason: why });
}

/** Enrolls (first run) and starts every vessel's listener process, registering each stop. */
export async function startVessels(
  run: TopologyRun,
  vessels: readonly DemoVessel[],
  ca: CaServer,
  plan: BrokerPlan,
  syncBroker: () => Promise<void>,
  options: TopologyOptions,
): Promise<{ handles: Map<string, DemoVesselHandle>; summaries: VesselSummary[] }> {
  const handles = new Map<string, DemoVesselHandle>();
  const summaries: VesselSummary[] = [];
  const env = { ...process.env, [PASSPHRASE_ENV]: run.secrets.vesselPassphrase };
  const starting: Promise<void>[] = [];
  for (const v of vessels) {
    const vesselDir = join(run.dataDir, 'vessels', v.id);
    const raw = vesselConfig(v, vesselDir, ca, plan, options);
    const enrolled = existsSync(identityPaths(vesselDir).cert);
    if (!enrolled) {
      const { token } = ca.authority.createEnrollmentToken(
        {
          entityId: v.id,
          roles: ['vessel'],
          name: v.name,
          imo: v.imo,
          mmsi: v.mmsi,
          flag: v.flag,
          ttlSeconds: 600,
        },
        { id: 'demo' },
      );
      await enrollVessel(parseVesselConfig(raw), token, run.secrets.vesselPassphrase);
      // The broker must know the new vessel before it connects and publishes its state.
      await syncBroker();
    }
    const configPath = join(vesselDir, 'vessel.json');
    writeFileAtomic(configPath, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600 });
    const serial = currentSerial(vesselDir);
    const summary = {
      id: v.id,
      name: v.name,
      imo: v.imo,
      mmsi: v.mmsi,
      flag: v.flag,
      serial,
      streams: v.catalog.streams.length,
    };
    summaries.push(summary);
    const refused = refusal(ca, vesselDir);
    if (refused) {
      reportStopped(run, ca, v.id, refused);
      continue;
    }
    const proc = new VesselProcess({
      id: v.id,
      dataDir: vesselDir,
      configPath,
      catalog: v.catalog,
      logFile: join(run.dataDir, 'logs', `${v.id}.log`),
      env,
      mayRestart: () => refusal(ca, vesselDir) === undefined,
    });
    proc.on('restarting', ({ delayMs }: { delayMs: number }) =>
      run.logger.warn({ vessel: v.id, delayMs }, 'vessel listener exited; restarting'),
    );
    proc.on('given-up', () => reportStopped(run, ca, v.id, refusal(ca, vesselDir) ?? 'it may not run'));
    run.onStop(`vessel ${v.id}`, () => proc.close());
    starting.push(
      (async () => {
        await proc.start();
        const identity = await loadIdentity(vesselDir, run.secrets.vesselPassphrase);
        handles.set(v.id, Object.assign(proc, { identity }));
        run.progress({
          step: 'vessels',
          message: `${v.name} (${v.id}, MMSI ${v.mmsi}, flag ${v.flag}): ${enrolled ? 'identity reused' : 'enrolled'}, ${v.catalog.streams.length} streams, listener pid ${proc.pid ?? '?'} (helmlink vessel run --simulate)`,
        });
      })(),
    );
  }
  // The listeners start side by side (each is a Node process of its own: about a second of start-up).
  await Promise.all(starting);
  watchRevocations(run, ca, handles);
  await syncBroker();
  return { handles, summaries };
}

/** Stops the listener of a vessel as soon as a CRL revokes (or holds) its certificate. */
function watchRevocations(run: TopologyRun, ca: CaServer, handles: Map<string, DemoVesselHandle>): void {
  const off = ca.authority.onCrl(() => {
    for (const handle of handles.values()) {
      if (handle.pid === undefined) continue;
      const why = refusal(ca, join(run.dataDir, 'vessels', handle.id));
      if (!why) continue;
      void handle.stop().then(() => reportStopped(run, ca, handle.id, why));
    }
  });
  run.onStop('vessel revocation watch', async () => off());
}
