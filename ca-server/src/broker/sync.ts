/**
 * `ca broker sync`: rewrite the broker's CRL and ACL from the store, then make the broker use them. A SIGHUP
 * reloads them but leaves open sessions of revoked clients alive (measured on Mosquitto 2.0.11), so a broker we
 * manage is restarted (~15 ms; clients reconnect, revoked ones are refused).
 */
import { readFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import type { Authority } from '../authority/authority';
import { brokerPaths, writeCrlAndAcl } from './material';
import { waitForPort } from '@helmlink/protocol/node';
import type { ManagedMosquitto } from './mosquitto';

export interface SyncOptions {
  outDir: string;
  /** A broker process we manage in-process: restarted after the rewrite. */
  broker?: ManagedMosquitto;
  runAsUser?: string;
}

/** Rewrites CRL + ACL and restarts the managed broker. */
export async function syncBroker(authority: Authority, opts: SyncOptions): Promise<void> {
  await writeCrlAndAcl(authority, opts.outDir, opts.runAsUser);
  await opts.broker?.restart();
}

/**
 * Keeps a managed broker in step with the CA: after every CRL issuance (revoke, release, refresh) CRL + ACL are
 * rewritten and the broker restarted (open sessions of revoked clients are cut); when an enrollment brings an
 * identity (entity id + roles) the ACL does not know yet, the ACL is rewritten and the broker reloaded (SIGHUP:
 * nobody's session is cut for a new vessel).
 */
export interface BrokerSyncHandle {
  /** Stops following the authority. */
  stop(): void;
  /** Resolves when every sync started so far has finished. */
  idle(): Promise<void>;
}

export function attachBrokerSync(authority: Authority, opts: SyncOptions): BrokerSyncHandle {
  let chain: Promise<void> = Promise.resolve();
  const known = new Set<string>();
  const key = (entityId: string, roles: readonly string[]): string =>
    `${entityId}|${[...roles].sort().join(',')}`;
  const remember = (): void => {
    known.clear();
    for (const i of authority.store.listActiveIdentities(authority.clock()))
      known.add(key(i.entityId, i.roles));
  };
  remember();
  const offCrl = authority.onCrl(() => {
    chain = chain
      .then(() => syncBroker(authority, opts))
      .then(remember)
      .catch(() => undefined);
    return chain;
  });
  const offIssued = authority.onIssued((record) => {
    if (known.has(key(record.entityId, record.roles))) return;
    chain = chain
      .then(async () => {
        remember();
        await writeCrlAndAcl(authority, opts.outDir, opts.runAsUser);
        opts.broker?.reload();
      })
      .catch(() => undefined);
  });
  return {
    stop() {
      offCrl();
      offIssued();
    },
    idle: async () => {
      for (let seen: Promise<void> | undefined; seen !== chain;) {
        seen = chain;
        await chain;
      }
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * For a daemon started from our mosquitto.conf (its pid_file is in outDir): `reload` sends SIGHUP; `restart` stops
 * it (SIGTERM, it saves persistent sessions) and starts `mosquitto -d -c conf` again, then waits for the port.
 * Returns what was done.
 */
export async function signalDaemon(
  outDir: string,
  mode: 'reload' | 'restart',
  port: number,
  host = '127.0.0.1',
): Promise<'none' | 'reloaded' | 'restarted'> {
  const p = brokerPaths(outDir);
  if (!existsSync(p.pidfile)) return 'none';
  const pid = Number(readFileSync(p.pidfile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return 'none';
  if (mode === 'reload') {
    process.kill(pid, 'SIGHUP');
    return 'reloaded';
  }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 500 && alive(pid); i++) await sleep(10);
  await startDaemon(outDir);
  await waitForPort(port, undefined, host);
  return 'restarted';
}

/** Starts `mosquitto -d -c outDir/mosquitto.conf` (daemonised; pid in outDir/mosquitto.pid). */
export async function startDaemon(outDir: string): Promise<void> {
  const p = brokerPaths(outDir);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('mosquitto', ['-d', '-c', p.conf], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`mosquitto -d exited with ${code}`)),
    );
  });
}
