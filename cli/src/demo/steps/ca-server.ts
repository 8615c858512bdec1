/** Step 2, the CA server. Its CRL publisher connects once the broker is up (it retries every 2 s). */
import { startCaServer, type CaServer } from '@helmlink/ca-server';
import type { BrokerPlan } from './broker-plan';
import type { TopologyRun } from './run';

/** Starts the CA server on 127.0.0.1 and registers its stop. */
export async function startCa(run: TopologyRun, caDir: string, plan: BrokerPlan): Promise<CaServer> {
  const ca = await startCaServer({
    dir: caDir,
    passphrase: run.secrets.caPassphrase,
    port: plan.caPort,
    host: '127.0.0.1',
    mqttUrl: plan.mqttUrl,
  });
  run.onStop('CA server', () => ca.close());
  run.progress({
    step: 'ca',
    message: `CA server on ${ca.url} (root fingerprint ${ca.rootFingerprint.slice(0, 16)}…)`,
  });
  return ca;
}
