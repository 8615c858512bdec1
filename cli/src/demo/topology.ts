/**
 * The whole Helmlink chain on one machine, started programmatically: CA server, MQTT broker (Mosquitto or the
 * embedded aedes broker) with mutual TLS, CRL and the CA's topic ACL, simulated vessels, and the operator console
 * behind its loopback web bridge. `npm run demo` and the end-to-end tests both call {@link startTopology}.
 *
 * Everything runs in this process except Mosquitto (a child process, stopped in {@link Topology.stop}). State lives
 * in `dataDir` and is reused on the next start: ca/ (CA directory), broker/, vessels/<id>/, console/, secrets.json.
 *
 * A thin composition of the steps in `steps/`: the broker plan and ports, the PKI, the CA server, the broker and
 * its sync with the CA, the vessels, the console.
 */
import { certificateToPem } from '@helmlink/protocol';
import { assertRendererBuilt } from '@helmlink/app-main';
import { DEMO_PILOT, DEMO_VESSELS } from './fleet';
import { planBroker } from './steps/broker-plan';
import { startBroker } from './steps/broker';
import { startBrokerSync } from './steps/broker-sync';
import { startCa } from './steps/ca-server';
import { startConsole, type RunningConsole } from './steps/console';
import { ensurePki } from './steps/pki';
import { openRun } from './steps/run';
import { startVessels } from './steps/vessels';
import type { Topology, TopologyOptions } from './topology-types';

export type { BrokerKind, ProgressEvent, Topology, TopologyOptions, VesselSummary } from './topology-types';

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
    const ca = await startCa(run, caDir, plan);
    const broker = await startBroker(run, ca.authority, plan);
    const syncBroker = startBrokerSync(run, ca.authority, broker, options.aclPollMs ?? 1000);
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
      broker: { kind: plan.kind, version: broker.version, url: plan.mqttUrl, port: plan.mqttPort },
      urls: { ca: ca.url, mqtt: plan.mqttUrl, ...(server ? { console: server.url } : {}) },
      ports: { ca: ca.port, mqtt: plan.mqttPort, ...(server ? { console: server.port } : {}) },
      identities: {
        organization: config.organization,
        rootFingerprint: ca.rootFingerprint,
        caService: config.serviceId,
        brokerSerial: broker.brokerSerial ?? '',
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
