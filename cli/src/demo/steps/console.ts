/**
 * Step 5, the console: its services, the demo pilot enrolled (first run) and unlocked, connected to the broker,
 * and the loopback web bridge serving the built console page.
 */
import { join } from 'node:path';
import type { CaServer } from '@helmlink/ca-server';
import {
  createConsoleServices,
  startConsoleServer,
  type ConsoleServer,
  type ConsoleServices,
  type Keychain,
} from '@helmlink/app-main';
import type { DemoPerson } from '../fleet';
import { portFor, type TopologyRun } from './run';

export interface ConsoleStepOptions {
  /** Enroll and unlock the pilot (default true); false leaves the first-run wizard to the user. */
  enroll?: boolean;
  keychain?: Keychain | null;
  rendererDir?: string;
  port?: number;
}

export interface RunningConsole {
  server: ConsoleServer;
  services: ConsoleServices;
  /** The pilot's certificate serial, when enrolled. */
  pilotSerial: string | undefined;
}

/** Enrolls (first run) and unlocks the pilot, then connects to the broker; a failed connect is reported, not fatal. */
async function preparePilot(
  run: TopologyRun,
  services: ConsoleServices,
  ca: CaServer,
  pilot: DemoPerson,
  mqttUrl: string,
  syncBroker: () => Promise<void>,
): Promise<string | undefined> {
  let status = services.identity.status();
  if (status.state === 'none') {
    const { token } = ca.authority.createEnrollmentToken(
      { entityId: pilot.id, roles: pilot.roles, ttlSeconds: 600 },
      { id: 'demo' },
    );
    status = await services.identity.enroll({
      caUrl: ca.url,
      rootFingerprint: ca.rootFingerprint,
      token,
      entityId: pilot.id,
      custody: 'passphrase',
      passphrase: run.secrets.consolePassphrase,
      brokerUrl: mqttUrl,
    });
    run.progress({
      step: 'pilot',
      message: `${pilot.id} enrolled as ${pilot.roles.join(' + ')} (key sealed with the demo passphrase)`,
    });
  } else {
    run.progress({ step: 'pilot', message: `reusing the console identity ${status.entityId ?? ''}` });
  }
  if (!services.identity.status().unlocked) await services.identity.unlock(run.secrets.consolePassphrase);
  services.settings.update({ brokerUrl: mqttUrl, caUrl: ca.url });
  const pilotSerial = services.identity.status().certificate?.serial?.toLowerCase();
  await syncBroker();
  try {
    await services.commands.connect();
  } catch (err) {
    run.progress({
      step: 'console',
      message: `the console could not connect to the broker: ${(err as Error).message}`,
    });
  }
  return pilotSerial;
}

/** Starts the console services and its web bridge, registering their stops. */
export async function startConsole(
  run: TopologyRun,
  options: ConsoleStepOptions,
  ca: CaServer,
  pilot: DemoPerson,
  mqttUrl: string,
  syncBroker: () => Promise<void>,
): Promise<RunningConsole> {
  const services = await createConsoleServices({
    dataDir: join(run.dataDir, 'console'),
    keychain: options.keychain ?? null,
    logger: run.logger.child({ part: 'console' }),
  });
  run.onStop('console services', () => services.close());
  const pilotSerial =
    options.enroll !== false ? await preparePilot(run, services, ca, pilot, mqttUrl, syncBroker) : undefined;
  const server = await startConsoleServer({
    services,
    port: await portFor(options.port, 'console web bridge (--console-port)'),
    host: '127.0.0.1',
    ...(options.rendererDir ? { rendererDir: options.rendererDir } : {}),
  });
  run.onStop('console web bridge', () => server.close());
  run.progress({ step: 'console', message: `console web bridge on ${server.origin}` });
  return { server, services, pilotSerial };
}
