/**
 * Step 2, the broker's material from the CA (certificate, CA bundle, CRL, dynamic-security state, mosquitto.conf),
 * reused when still valid. Mosquitto itself (managed or yours) is then run and kept current by the CA server (step
 * 3); the embedded broker is started here once the CA runs (step 3b), with its own sync.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificates } from '@helmlink/protocol';
import {
  brokerPaths,
  loadAuthority,
  writeBrokerMaterial,
  writeBrokerState,
  type CaServer,
} from '@helmlink/ca-server';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../broker/embedded';
import type { BrokerPlan } from './broker-plan';
import type { TopologyRun } from './run';

type Authority = CaServer['authority'];

/** The broker material as written for this run. */
export interface BrokerMaterialInfo {
  dir: string;
  paths: ReturnType<typeof brokerPaths>;
  /** `user root` in mosquitto.conf when running as root (Mosquitto drops privileges otherwise). */
  runAsUser: 'root' | undefined;
  brokerSerial: string;
}

/** The serial of the broker certificate in `paths` when it can be reused: valid, a day left, our listener. */
function reusableBrokerSerial(
  authority: Authority,
  paths: ReturnType<typeof brokerPaths>,
  plan: BrokerPlan,
): string | undefined {
  if (!existsSync(paths.certfile) || !existsSync(paths.keyfile) || !existsSync(paths.conf)) return undefined;
  try {
    const conf = readFileSync(paths.conf, 'utf8');
    if (!plan.external && !conf.includes(`listener ${plan.mqttPort} 127.0.0.1\n`)) return undefined;
    // Material from before the dynamic-security plugin is written again.
    if (!conf.includes('plugin_opt_config_file')) return undefined;
    // The certfile holds the broker certificate, then the issuing CA's (the chain Mosquitto presents).
    const [cert] = parseCertificates(readFileSync(paths.certfile, 'utf8'));
    if (!cert) return undefined;
    const serial = cert.serialNumber.toLowerCase();
    if (
      authority.getCertificate(serial).status !== 'valid' ||
      cert.notAfter.getTime() < Date.now() + 86_400_000
    )
      return undefined;
    return serial;
  } catch {
    return undefined;
  }
}

/**
 * Writes (or refreshes) the broker material with the CA loaded for that alone (the CA server starts next, with the
 * material in place for its broker sync).
 */
export async function prepareBrokerMaterial(
  run: TopologyRun,
  caDir: string,
  plan: BrokerPlan,
): Promise<BrokerMaterialInfo> {
  const dir = join(run.dataDir, 'broker');
  const paths = brokerPaths(dir);
  const runAsUser = typeof process.getuid === 'function' && process.getuid() === 0 ? 'root' : undefined;
  const authority = await loadAuthority({ dir: caDir, passphrase: run.secrets.caPassphrase });
  try {
    let brokerSerial = reusableBrokerSerial(authority, paths, plan);
    if (brokerSerial) await writeBrokerState(authority, dir, runAsUser);
    else {
      const material = await writeBrokerMaterial(authority, {
        outDir: dir,
        hosts: plan.brokerHosts,
        port: plan.mqttPort,
        ...(plan.external ? {} : { listen: '127.0.0.1' }),
        ...(runAsUser ? { runAsUser } : {}),
      });
      brokerSerial = material.brokerSerial;
    }
    return { dir, paths, runAsUser, brokerSerial };
  } finally {
    await authority.close();
  }
}

/** The embedded broker and its sync with the CA. */
export interface RunningEmbedded {
  broker: EmbeddedBroker;
  /** Applies the CA's CRL and identities now; resolves when done. */
  sync(): Promise<void>;
}

/** Every identity the broker's access control lists now. */
const activeSubjects = (authority: Authority) => authority.store.listActiveIdentities(authority.clock());

/**
 * Starts the embedded aedes broker on the material and keeps it in step with the CA: its CRL and identities on
 * every CRL, every issuance, a poll every `pollMs` and on demand. Unlike Mosquitto it cuts the sessions of newly
 * revoked certificates itself.
 */
export async function startEmbedded(
  run: TopologyRun,
  authority: Authority,
  material: BrokerMaterialInfo,
  plan: BrokerPlan,
  pollMs: number,
): Promise<RunningEmbedded> {
  const { paths } = material;
  const broker = await startEmbeddedBroker({
    port: plan.mqttPort,
    cert: readFileSync(paths.certfile, 'utf8'),
    key: readFileSync(paths.keyfile, 'utf8'),
    ca: readFileSync(paths.cafile, 'utf8'),
    crl: readFileSync(paths.crlfile, 'utf8'),
    subjects: activeSubjects(authority),
    onEvent: (e) => run.logger.warn(e, 'embedded broker refused'),
  });
  run.onStop('embedded broker', () => broker.close());
  let syncing: Promise<void> = Promise.resolve();
  const sync = (): Promise<void> => {
    // One sync at a time; a failed one (logged by the caller) must not block the next.
    syncing = syncing
      .catch(() => undefined)
      .then(async () => {
        const cut = await broker.update({
          crl: (await authority.currentCrl()).pem,
          subjects: activeSubjects(authority),
        });
        if (cut.length)
          run.progress({ step: 'broker', message: `cut the sessions of revoked ${cut.join(', ')}` });
      });
    return syncing;
  };
  const logFailure = (err: unknown) =>
    run.logger.error({ err: (err as Error).message }, 'broker sync failed');
  const offCrl = authority.onCrl(() => void sync().catch(logFailure));
  const offIssued = authority.onIssued(() => void sync().catch(logFailure));
  const poll = setInterval(() => void sync().catch(logFailure), pollMs);
  poll.unref();
  run.onStop('embedded broker sync', async () => {
    clearInterval(poll);
    offCrl();
    offIssued();
    await syncing.catch(() => undefined);
  });
  return { broker, sync };
}

/** Human words for the broker: "Mosquitto 2.0.11", "embedded aedes broker …", "your broker". */
export function brokerVersion(plan: BrokerPlan): string {
  return plan.kind === 'mosquitto'
    ? `Mosquitto ${plan.mosquittoVersion}`
    : plan.kind === 'external'
      ? 'your broker'
      : `embedded aedes broker (MQTT 3.1.1)${plan.wanted === 'auto' ? ', as Mosquitto is not installed' : ''}`;
}
