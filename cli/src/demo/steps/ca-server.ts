/**
 * Step 3, the CA server, as `helmlink ca serve --broker-out DIR [--manage-broker]` runs it: it runs (and supervises)
 * Mosquitto on the material, reloads the CRL and drives the dynamic-security plugin after every change (a
 * revocation cuts exactly the revoked client, no restart), and publishes the CRL retained. With your own broker it
 * reloads it through its pid file when it may; with the embedded broker it only publishes the CRL.
 */
import { startCaServer, type CaServer } from '@helmlink/ca-server';
import { guardedMosquitto } from '../../broker/mosquitto';
import type { BrokerMaterialInfo } from './broker';
import type { BrokerPlan } from './broker-plan';
import type { TopologyRun } from './run';

/** Starts the CA server on 127.0.0.1 (and Mosquitto, when the plan says so) and registers its stop. */
export async function startCa(
  run: TopologyRun,
  caDir: string,
  plan: BrokerPlan,
  material: BrokerMaterialInfo,
): Promise<CaServer> {
  const managed =
    plan.kind === 'mosquitto'
      ? guardedMosquitto({
          configPath: material.paths.conf,
          port: plan.mqttPort,
          onOutput: (text) => run.logger.info({ mosquitto: text.trim() }, 'mosquitto'),
          onEvent: (event) => {
            run.logger.warn({ event }, 'managed Mosquitto');
            if (event.type === 'adopted')
              run.progress({
                step: 'broker',
                message: `took over Mosquitto (pid ${event.pid}) left running by an earlier run`,
              });
          },
        })
      : undefined;
  let ca: CaServer;
  try {
    ca = await startCaServer({
      dir: caDir,
      passphrase: run.secrets.caPassphrase,
      port: plan.caPort,
      host: '127.0.0.1',
      mqttUrl: plan.mqttUrl,
      ...(plan.kind === 'embedded'
        ? {}
        : {
            brokerSync: {
              outDir: material.dir,
              ...(material.runAsUser ? { runAsUser: material.runAsUser } : {}),
              ...(managed ? { broker: managed.broker } : {}),
            },
          }),
    });
  } catch (err) {
    managed?.release();
    throw err;
  }
  run.onStop('CA server', async () => {
    await ca.close();
    managed?.release();
  });
  run.progress({
    step: 'ca',
    message: `CA server on ${ca.url} (root fingerprint ${ca.rootFingerprint.slice(0, 16)}…)`,
  });
  return ca;
}
