/**
 * Keeping a broker in step with the CA, without ever restarting it:
 *
 * 1. the current CRL is written to the broker's `crl.pem`, and the broker reloads it (SIGHUP: a managed broker
 *    through {@link ManagedMosquitto}, a daemon started from our mosquitto.conf through its pid file; a broker we may
 *    not signal is reloaded by the installed `helmlink-broker-reload.path` unit or `ca broker sync`). From then on
 *    new connections with a revoked certificate are refused; a SIGHUP keeps every open session;
 * 2. the dynamic-security plugin is brought to the store's state over `$CONTROL/dynamic-security/v1`: a new identity
 *    gets its client and role (usable at once), an identity without a valid certificate left is deleted, which makes
 *    the broker disconnect its sessions at once and leaves it without permissions should it connect again;
 * 3. a certificate revoked while its entity keeps another valid one (not a renewal's `superseded`) has its
 *    sessions disconnected (disable + enable): they come back only with the valid certificate.
 *
 * Step 1 comes first, so a disconnected client cannot slip back in with the revoked certificate.
 */
import { REVOCATION_REASONS } from '@helmlink/protocol';
import type { Authority } from '../authority/authority';
import { pidFileBroker, readBrokerConf } from './broker-conf';
import type { DynsecCommand } from './dynsec/plan';
import { desiredDynsecState } from './dynsec/policy';
import type { BrokerLink } from './link';
import { brokerPaths, writeBrokerCrl, writeDynsecFile } from './material';
import type { ManagedMosquitto } from './mosquitto';
import { withTemporaryLink } from './temporary-link';

export interface SyncOptions {
  outDir: string;
  /** A broker process we manage: reloaded through it. */
  broker?: ManagedMosquitto;
  /** The CA's broker session with dynamic-security control. Without it each sync opens one of its own. */
  link?: BrokerLink;
  runAsUser?: string;
}

/** How the broker was told to reload its CRL. */
export type ReloadMethod = 'managed' | 'pid-file' | 'none';

export interface SyncResult {
  crlNumber: number;
  reload: ReloadMethod;
  /** The dynamic-security commands sent (empty: the broker already agreed). */
  commands: DynsecCommand[];
  /** Usernames whose sessions were cut although they keep a valid certificate. */
  kicked: string[];
}

/** SIGHUP to the broker of `outDir`: managed, or the daemon of the pid file when it runs our conf and we may signal it. */
export function reloadBroker(opts: Pick<SyncOptions, 'outDir' | 'broker'>): ReloadMethod {
  if (opts.broker?.pid !== undefined) {
    opts.broker.reload();
    return 'managed';
  }
  let found: ReturnType<typeof pidFileBroker>;
  try {
    found = pidFileBroker(readBrokerConf(brokerPaths(opts.outDir).conf));
  } catch {
    return 'none';
  }
  if (!found || found.kind !== 'ours' || !found.signalable) return 'none';
  try {
    process.kill(found.pid, 'SIGHUP');
    return 'pid-file';
  } catch {
    return 'none';
  }
}

/** Applies the store's identities to the broker's dynamic-security plugin; `kick` lists usernames to disconnect. */
async function applyControl(
  authority: Authority,
  opts: SyncOptions,
  kick: readonly string[],
): Promise<{ commands: DynsecCommand[]; kicked: string[] }> {
  const run = async (link: BrokerLink) => {
    const control = link.control;
    if (!control) throw new TypeError('the broker link was opened without dynamic-security control');
    const identities = authority.store.listActiveIdentities(authority.clock());
    const commands = await control.reconcile(desiredDynsecState(identities, authority.config.serviceId));
    const active = new Set(identities.map((i) => i.entityId));
    const kicked = kick.filter((u) => active.has(u));
    for (const username of kicked) await control.kick(username);
    return { commands, kicked };
  };
  return opts.link ? run(opts.link) : withTemporaryLink(authority, opts.outDir, run);
}

/**
 * One sync: CRL written and reloaded, dynamic-security state applied (see the module comment).
 * @throws HelmlinkError ERR_NOT_CONNECTED / ERR_BROKER_CONTROL when the broker cannot be reached or refuses.
 */
export async function syncBroker(
  authority: Authority,
  opts: SyncOptions,
  kick: readonly string[] = [],
): Promise<SyncResult> {
  const crlNumber = await writeBrokerCrl(authority, opts.outDir, opts.runAsUser);
  const reload = reloadBroker(opts);
  try {
    const { commands, kicked } = await applyControl(authority, opts, kick);
    return { crlNumber, reload, commands, kicked };
  } finally {
    // What the broker starts from next time (after the sessions are cut: this write is not on that path).
    writeDynsecFile(authority, opts.outDir, opts.runAsUser);
  }
}

/** The sync as `/health` reports it. */
export interface BrokerSyncStatus {
  /** Number of the CRL last written to the broker's files and reloaded. */
  crlNumber: number | null;
  reload: ReloadMethod | null;
  syncedAt: string | null;
  lastError?: string;
}

export interface BrokerSyncHandle {
  /** Syncs now (after whatever is queued); rejects with the sync's error. */
  sync(): Promise<SyncResult>;
  /** Stops following the authority. */
  stop(): void;
  /** Resolves when every sync started so far has finished. */
  idle(): Promise<void>;
  status(): BrokerSyncStatus;
}

/**
 * Follows the authority: a sync after every CRL (revocation, release, periodic re-issue), after an issuance that
 * brings an identity the broker does not know, and after every reconnect of the link. Syncs run one at a time;
 * a failure raises one alert per streak (an unreachable broker is the link's alert) and the next event retries.
 */
export function attachBrokerSync(authority: Authority, opts: SyncOptions): BrokerSyncHandle {
  let chain: Promise<void> = Promise.resolve();
  let status: BrokerSyncStatus = { crlNumber: null, reload: null, syncedAt: null };
  let failing = false;
  // Serial → reason: a certificate superseded first and declared keyCompromise later counts as newly revoked.
  const reasons = (list: { serial: string; reason: number | null }[]) =>
    new Map(list.map((r) => [r.serial, r.reason]));
  let seen = reasons(authority.store.listRevoked(authority.clock()));
  const pendingKicks = new Set<string>();
  const known = new Set<string>();
  const remember = (): void => {
    known.clear();
    for (const i of authority.store.listActiveIdentities(authority.clock()))
      known.add(`${i.entityId}|${i.roles.join(',')}`);
  };
  remember();

  const queue = (): Promise<SyncResult> => {
    const run = chain.then(async () => {
      const kick = [...pendingKicks];
      pendingKicks.clear();
      try {
        const r = await syncBroker(authority, opts, kick);
        remember();
        status = {
          crlNumber: r.crlNumber,
          reload: r.reload,
          syncedAt: new Date(authority.clock()).toISOString(),
        };
        failing = false;
        return r;
      } catch (err) {
        // Kicks still owed are tried again with the next sync.
        for (const u of kick) pendingKicks.add(u);
        const message = err instanceof Error ? err.message : String(err);
        status = { ...status, lastError: message };
        const unreachable = (err as { code?: unknown }).code === 'ERR_NOT_CONNECTED';
        if (!failing && !unreachable)
          authority.alerts.raise(
            'broker_sync_failed',
            'warning',
            `the broker could not be synced: ${message}`,
            {
              outDir: opts.outDir,
              error: message,
            },
          );
        failing = true;
        throw err;
      }
    });
    chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
  const background = (): void => void queue().catch(() => undefined);

  const offCrl = authority.onCrl(() => {
    const revoked = authority.store.listRevoked(authority.clock());
    for (const r of revoked) {
      if (seen.get(r.serial) === r.reason) continue;
      const cert = authority.store.getCertificate(r.serial);
      if (cert && r.reason !== REVOCATION_REASONS.superseded) pendingKicks.add(cert.entityId);
    }
    // Released from hold and revoked again later counts as new.
    seen = reasons(revoked);
    // Not awaited: a revocation answers without waiting for the broker (the sync follows within milliseconds).
    background();
  });
  const offIssued = authority.onIssued((record) => {
    if (!known.has(`${record.entityId}|${[...record.roles].sort().join(',')}`)) background();
  });
  const onReady = (): void => background();
  opts.link?.on('ready', onReady);
  return {
    sync: queue,
    stop() {
      offCrl();
      offIssued();
      opts.link?.off('ready', onReady);
    },
    idle: async () => {
      for (let seenChain: Promise<void> | undefined; seenChain !== chain;) {
        seenChain = chain;
        await chain;
      }
    },
    status: () => status,
  };
}
