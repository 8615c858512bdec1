/**
 * The whole Helmlink chain on one machine, started programmatically: CA server, MQTT broker (Mosquitto or the
 * embedded aedes broker) with mutual TLS, CRL and the CA's topic ACL, simulated vessels, and the operator console
 * behind its loopback web bridge. `npm run demo` and the end-to-end tests both call {@link startTopology}.
 *
 * Everything runs in this process except Mosquitto (a child process, stopped in {@link Topology.stop}). State lives
 * in `dataDir` and is reused on the next start: ca/ (CA directory), broker/, vessels/<id>/, console/, secrets.json.
 *
 * A thin composition of the steps in `steps/`: the broker plan and ports, the PKI, the broker material, the CA server
 * (which runs Mosquitto and keeps it in step), the embedded broker when chosen, the vessels, the console.
 */
import { certificateToPem } from '@helmlink/protocol';
import { assertRendererBuilt } from '@helmlink/app-main';
import { DEMO_PILOT, DEMO_VESSELS } from './fleet';
import { planBroker } from './steps/broker-plan';
import { brokerVersion, prepareBrokerMaterial, startEmbedded } from './steps/broker';
import { startCa } from './steps/ca-server';
import { startConsole, type RunningConsole } from './steps/console';
import { ensurePki } from './steps/pki';
import { openRun } from './steps/run';
import { startVessels } from './steps/vessels';
import type { Topology, TopologyOptions } from './topology-types';

export type {
  BrokerKind,
  DemoVesselHandle,
  ProgressEvent,
  Topology,
  TopologyOptions,
  VesselSummary,
} from './topology-types';
export { VesselProcess, type VesselProcessStatus } from './vessel-process';

/**
 * Starts the topology. Before anything is created: ERR_PORT_IN_USE for a taken explicit port, ERR_TOOL_MISSING when
 * Mosquitto is asked for but missing, ERR_RENDERER_NOT_BUILT when the console is wanted but its page is not built
 * (`npm run build`). On a later failure everything already started is stopped before the error is rethrown.
 */
export async function startTopology(options: TopologyOptions): Promise<Topology> {
  const consoleOpt = options.console === undefined ? {} : options.console;
  // Checked before anything is created or started: ports, tools, the built console page.
  const plan = await planBroker(options);
  if (consoleOpt !== false) assertRendererBuilt(consoleOpt.rendererDir);
  const run = openRun(options);
  const pilot = options.pilot ?? DEMO_PILOT;
  try {
    const { caDir, config } = await ensurePki(run);
    const material = await prepareBrokerMaterial(run, caDir, plan);
    const ca = await startCa(run, caDir, plan, material);
    const embedded =
      plan.kind === 'embedded'
        ? await startEmbedded(run, ca.authority, material, plan, options.aclPollMs ?? 1000)
        : undefined;
    const version = brokerVersion(plan);
    run.progress({
      step: 'broker',
      message:
        plan.kind === 'external'
          ? `using your broker at ${plan.mqttUrl}: run it with the CA's material in ${material.dir} (mosquitto.conf, certificate, CA bundle, CRL, dynamic-security state); the CA reloads its CRL and applies enrollments and revocations over MQTT`
          : `${version} on ${plan.mqttUrl}: mutual TLS, CRL and per-identity access control from the CA (${material.dir})`,
    });
    const syncBroker = async (): Promise<void> => {
      if (embedded) return embedded.sync();
      await ca.brokerSync?.sync();
    };
    const { handles, summaries } = await startVessels(
      run,
      options.vessels ?? DEMO_VESSELS,
      ca,
      plan,
      syncBroker,
      options,
    );
    let consoleSide: RunningConsole | undefined;
    if (consoleOpt !== false) {
      consoleSide = await startConsole(
        run,
        { ...consoleOpt, port: options.ports?.console },
        ca,
        pilot,
        plan.mqttUrl,
        syncBroker,
      );
    }
    const server = consoleSide?.server;
    return {
      dataDir: run.dataDir,
      broker: { kind: plan.kind, version, url: plan.mqttUrl, port: plan.mqttPort },
      urls: { ca: ca.url, mqtt: plan.mqttUrl, ...(server ? { console: server.url } : {}) },
      ports: { ca: ca.port, mqtt: plan.mqttPort, ...(server ? { console: server.port } : {}) },
      identities: {
        organization: config.organization,
        rootFingerprint: ca.rootFingerprint,
        caService: config.serviceId,
        brokerSerial: material.brokerSerial,
        vessels: summaries,
        pilot: {
          id: pilot.id,
          roles: pilot.roles,
          enrolled: consoleOpt !== false && consoleOpt.enroll !== false,
          ...(consoleSide?.pilotSerial ? { serial: consoleSide.pilotSerial } : {}),
          passphrase: run.secrets.consolePassphrase,
        },
      },
      ca,
      vessels: handles,
      ...(server ? { console: server } : {}),
      ...(consoleSide ? { consoleServices: consoleSide.services } : {}),
      createToken(req) {
        const t = ca.authority.createEnrollmentToken(req, { id: 'demo' });
        return { token: t.token, expiresAt: t.expiresAt };
      },
      syncBroker,
      stop: () => run.stop(),
    };
  } catch (err) {
    await run.stop();
    throw err;
  }
}

/** The root certificate PEM of a running topology (for clients that pin it). */
export function rootPem(topology: Topology): string {
  return certificateToPem(topology.ca.authority.root);
}
