/**
 * Step 4, the vessels: each is enrolled once (token from the CA, key sealed with the demo passphrase), the broker
 * learns it before it connects, and its listener runs simulated streams in this process.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaServer } from '@helmlink/ca-server';
import {
  enrollVessel,
  identityPaths,
  parseVesselConfig,
  startVessel,
  type VesselConfig,
  type VesselHandle,
} from '@helmlink/vessel';
import type { DemoVessel } from '../fleet';
import type { TopologyOptions, VesselSummary } from '../topology-types';
import type { BrokerPlan } from './broker-plan';
import type { TopologyRun } from './run';

const VDR_GUARD = fileURLToPath(new URL('../hooks/vdr-guard.mjs', import.meta.url));

/** The listener configuration of a demo vessel. */
function vesselConfig(
  v: DemoVessel,
  vesselDir: string,
  ca: CaServer,
  plan: BrokerPlan,
  options: TopologyOptions,
): VesselConfig {
  return parseVesselConfig({
    vesselId: v.id,
    dataDir: vesselDir,
    ca: { url: ca.url, rootFingerprint: ca.rootFingerprint },
    broker: {
      url: plan.mqttUrl,
      protocolVersion: plan.kind === 'embedded' ? 4 : 5,
      reconnect: { initialDelayMs: 200, maxDelayMs: 5000, jitter: 0.5 },
    },
    key: { passphrase: { env: 'HELMLINK_DEMO_VESSEL_PASSPHRASE' } },
    catalog: v.catalog,
    simulate: { intervalMs: options.simulateIntervalMs ?? 1000 },
    crl: { graceSeconds: 3600, failClosed: true, refreshSeconds: 60 },
    state: { fsync: true },
    log: { level: options.logLevel ?? 'warn' },
    // The ship's systems refuse to switch off the VDR feed: shows a verified `rejected` ack with its reason.
    hook: { command: process.execPath, args: [VDR_GUARD], timeoutMs: 10_000 },
  });
}

/** Enrolls (first run) and starts every vessel, registering each stop. */
export async function startVessels(
  run: TopologyRun,
  vessels: readonly DemoVessel[],
  ca: CaServer,
  plan: BrokerPlan,
  syncBroker: () => Promise<void>,
  options: TopologyOptions,
): Promise<{ handles: Map<string, VesselHandle>; summaries: VesselSummary[] }> {
  const handles = new Map<string, VesselHandle>();
  const summaries: VesselSummary[] = [];
  for (const v of vessels) {
    const vesselDir = join(run.dataDir, 'vessels', v.id);
    const cfg = vesselConfig(v, vesselDir, ca, plan, options);
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
      await enrollVessel(cfg, token, run.secrets.vesselPassphrase);
      // The broker must know the new vessel (ACL) before it connects and publishes its state.
      await syncBroker();
    }
    const handle = await startVessel(cfg, {
      simulate: true,
      passphrase: run.secrets.vesselPassphrase,
      logger: run.logger.child({ vessel: v.id }),
    });
    run.onStop(`vessel ${v.id}`, () => handle.close());
    handles.set(v.id, handle);
    const serial = handle.identity.chain[0]!.serialNumber.toLowerCase();
    summaries.push({
      id: v.id,
      name: v.name,
      imo: v.imo,
      mmsi: v.mmsi,
      flag: v.flag,
      serial,
      streams: v.catalog.streams.length,
    });
    run.progress({
      step: 'vessels',
      message: `${v.name} (${v.id}, MMSI ${v.mmsi}, flag ${v.flag}): ${enrolled ? 'identity reused' : 'enrolled'}, ${v.catalog.streams.length} streams, simulating`,
    });
  }
  await syncBroker();
  return { handles, summaries };
}
