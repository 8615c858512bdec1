/**
 * Step 3, the broker: its material from the CA (certificate, CA bundle, CRL, ACL, mosquitto.conf), reused when
 * still valid, then Mosquitto or the embedded broker started on it (or nothing, for your own broker).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificates, type AclSubject } from '@helmlink/protocol';
import {
  brokerPaths,
  writeBrokerMaterial,
  writeCrlAndAcl,
  type CaServer,
  type IssuedCrl,
} from '@helmlink/ca-server';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../broker/embedded';
import { startMosquitto, type MosquittoProcess } from '../../broker/mosquitto';
import type { BrokerPlan } from './broker-plan';
import type { TopologyRun } from './run';

type Authority = CaServer['authority'];

/** The broker as started, with what the sync compares against next. */
export interface RunningBroker {
  plan: BrokerPlan;
  /** Human words: "Mosquitto 2.0.11", "embedded aedes broker …", "your broker". */
  version: string;
  dir: string;
  paths: ReturnType<typeof brokerPaths>;
  /** `user root` in mosquitto.conf when running as root (Mosquitto drops privileges otherwise). */
  runAsUser: 'root' | undefined;
  brokerSerial: string | undefined;
  mosquitto: MosquittoProcess | undefined;
  embedded: EmbeddedBroker | undefined;
  /** The ACL, revoked serials and CRL number the broker's files were written with. */
  baseline: { aclText: string; revoked: string; crlNumber: number };
}

/** Every identity the ACL lists now. */
export const activeSubjects = (authority: Authority): AclSubject[] =>
  authority.store.listActiveIdentities(authority.clock());

/**
 * The revoked and held serials a CRL carries, as one comparable string. Taken from the CRL, not the store: the store
 * marks a certificate revoked a moment before the CRL with it is issued, and a restart in between would reload the
 * old CRL and let the revoked client back in.
 */
export const revokedSerials = (issued: IssuedCrl): string =>
  issued.crl.entries
    .map((e) => e.serialNumber.toLowerCase())
    .sort()
    .join(',');

/** The serial of the broker certificate in `paths` when it can be reused: valid, a day left, our listener. */
function reusableBrokerSerial(
  authority: Authority,
  paths: ReturnType<typeof brokerPaths>,
  plan: BrokerPlan,
): string | undefined {
  if (!existsSync(paths.certfile) || !existsSync(paths.keyfile) || !existsSync(paths.conf)) return undefined;
  try {
    if (!plan.external && !readFileSync(paths.conf, 'utf8').includes(`listener ${plan.mqttPort} 127.0.0.1\n`))
      return undefined;
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

/** Writes (or refreshes) the broker material, then starts the broker the plan chose and registers its stop. */
export async function startBroker(
  run: TopologyRun,
  authority: Authority,
  plan: BrokerPlan,
): Promise<RunningBroker> {
  const dir = join(run.dataDir, 'broker');
  const paths = brokerPaths(dir);
  const runAsUser = typeof process.getuid === 'function' && process.getuid() === 0 ? 'root' : undefined;
  let brokerSerial = reusableBrokerSerial(authority, paths, plan);
  if (brokerSerial) await writeCrlAndAcl(authority, dir, runAsUser);
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
  const crl = await authority.currentCrl();
  const baseline = {
    aclText: readFileSync(paths.aclfile, 'utf8'),
    revoked: revokedSerials(crl),
    crlNumber: crl.number,
  };

  let mosquitto: MosquittoProcess | undefined;
  let embedded: EmbeddedBroker | undefined;
  if (plan.kind === 'mosquitto') {
    mosquitto = await startMosquitto({
      configPath: paths.conf,
      port: plan.mqttPort,
      onOutput: (text) => run.logger.info({ mosquitto: text.trim() }, 'mosquitto'),
    });
    run.onStop('Mosquitto', () => mosquitto!.stop());
  } else if (plan.kind === 'embedded') {
    embedded = await startEmbeddedBroker({
      port: plan.mqttPort,
      cert: readFileSync(paths.certfile, 'utf8'),
      key: readFileSync(paths.keyfile, 'utf8'),
      ca: readFileSync(paths.cafile, 'utf8'),
      crl: readFileSync(paths.crlfile, 'utf8'),
      subjects: activeSubjects(authority),
      onEvent: (e) => run.logger.warn(e, 'embedded broker refused'),
    });
    run.onStop('embedded broker', () => embedded!.close());
  }
  const version =
    plan.kind === 'mosquitto'
      ? `Mosquitto ${plan.mosquittoVersion}`
      : plan.kind === 'external'
        ? 'your broker'
        : `embedded aedes broker (MQTT 3.1.1)${plan.wanted === 'auto' ? ', as Mosquitto is not installed' : ''}`;
  run.progress({
    step: 'broker',
    message:
      plan.kind === 'external'
        ? `using your broker at ${plan.mqttUrl}: configure it with the CA's material in ${dir} (mosquitto.conf, certificate, CA bundle, CRL, ACL) and reload it after enrollments and revocations`
        : `${version} on ${plan.mqttUrl}: mutual TLS, CRL and topic ACL from the CA (${dir})`,
  });
  return { plan, version, dir, paths, runAsUser, brokerSerial, mosquitto, embedded, baseline };
}
