/**
 * The console's services, composed. Plain Node: nothing here (or below) imports Electron, so the same services run
 * inside Electron's main process, behind the loopback web bridge, and in tests.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { systemClock, type Clock } from '@helmlink/protocol';
import { ConsoleEvents } from './core/events';
import { createLogger, type Logger } from './core/logger';
import { AuditLog } from './audit/audit-log';
import { SettingsService, type SettingsStore } from './settings/settings-service';
import { createConfStore } from './settings/conf-store';
import { IdentityService } from './identity/identity-service';
import { createOsKeychain, type Keychain } from './vault/keychain';
import type { ScryptParams } from './vault/sealed-key';
import { FleetState } from './fleet/fleet-state';
import { StateSequences } from './fleet/state-sequences';
import { RateMeter } from './fleet/rates';
import { CommandChannel } from './commands/command-channel';
import { startAutoConnect } from './commands/auto-connect';
import { PkiAdmin } from './pki/pki-admin';

export interface ConsoleServicesOptions {
  /** The console's data directory (identity, settings, audit log, verified state sequences). */
  dataDir: string;
  /** Settings storage (default: conf in dataDir; electron-store inside Electron). */
  settingsStore?: SettingsStore;
  /** The OS keychain (default: @napi-rs/keyring, Linux pinned to the Secret Service); `null` for none. */
  keychain?: Keychain | null;
  clock?: Clock;
  logger?: Logger;
  scrypt?: ScryptParams;
  /** Automatic renewal timers (default true). */
  autoRenewTimers?: boolean;
  /** Accepted clock skew for vessel tokens, seconds. */
  clockToleranceSeconds?: number;
  /** Rates push interval, ms. */
  ratesIntervalMs?: number;
  /** CA alert polling for admin identities, ms (default 30 s; 0 disables). */
  alertPollMs?: number;
  /** Honour the `autoConnect` setting (default true; tests that drive connections themselves turn it off). */
  autoConnect?: boolean;
}

export interface ConsoleServices {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  events: ConsoleEvents;
  settings: SettingsService;
  identity: IdentityService;
  audit: AuditLog;
  fleet: FleetState;
  rates: RateMeter;
  commands: CommandChannel;
  pki: PkiAdmin;
  /** Stops timers and the broker session. */
  close(): Promise<void>;
}

/** Creates and initialises every console service. */
export async function createConsoleServices(o: ConsoleServicesOptions): Promise<ConsoleServices> {
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const clock = o.clock ?? systemClock;
  const logger = o.logger ?? createLogger();
  const events = new ConsoleEvents();
  const settings = new SettingsService(o.settingsStore ?? createConfStore(o.dataDir), events);
  const audit = new AuditLog(join(o.dataDir, 'audit.jsonl'), clock, events);
  const late: { commands?: CommandChannel } = {};
  const keychain = o.keychain === null ? undefined : (o.keychain ?? createOsKeychain());
  const identity = new IdentityService({
    dataDir: o.dataDir,
    ...(keychain ? { keychain } : {}),
    settings,
    events,
    clock,
    logger,
    ...(o.scrypt ? { scrypt: o.scrypt } : {}),
    ...(o.autoRenewTimers !== undefined ? { autoRenewTimers: o.autoRenewTimers } : {}),
    audit: (kind, entityId) => {
      audit.append({ kind, actor: entityId, verdict: kind === 'identity.revoked' ? 'revoked' : 'ok' });
      // A renewed certificate takes effect on the broker session at once: its client is replaced.
      if (kind === 'identity.renewed' && late.commands?.connection().state === 'connected') {
        late.commands
          .renewCredentials()
          .catch((err: unknown) =>
            logger.warn({ err: (err as Error).message }, 'reconnect after renewal failed'),
          );
      }
    },
  });
  await identity.init();
  const fleet = new FleetState({
    clock,
    events,
    audit,
    sequences: StateSequences.open(join(o.dataDir, 'fleet-seq.json')),
    ...(o.clockToleranceSeconds !== undefined ? { clockToleranceSeconds: o.clockToleranceSeconds } : {}),
  });
  const rates = new RateMeter();
  const commands: CommandChannel = new CommandChannel({
    identity,
    settings,
    fleet,
    rates,
    audit,
    events,
    clock,
    logger,
    ...(o.clockToleranceSeconds !== undefined ? { clockToleranceSeconds: o.clockToleranceSeconds } : {}),
    ...(o.ratesIntervalMs !== undefined ? { ratesIntervalMs: o.ratesIntervalMs } : {}),
  });
  late.commands = commands;
  const stopAutoConnect =
    o.autoConnect === false
      ? () => undefined
      : startAutoConnect({ events, settings, identity, commands, logger });
  const pki = new PkiAdmin({ identity, clock, audit });
  // Expiry banners change with time alone: push the identity status when its warning level changes.
  let lastWarning = identity.status().expiryWarning;
  const expiryTimer = setInterval(() => {
    const st = identity.status();
    if (st.expiryWarning !== lastWarning) {
      lastWarning = st.expiryWarning;
      events.emit('identity.changed', st);
    }
  }, 60_000);
  expiryTimer.unref();
  const alertPollMs = o.alertPollMs ?? 30_000;
  const stopAlerts =
    alertPollMs > 0
      ? pki.startAlertPolling((a) => events.emit('pki.alert', a), alertPollMs)
      : () => undefined;
  return {
    dataDir: o.dataDir,
    clock,
    logger,
    events,
    settings,
    identity,
    audit,
    fleet,
    rates,
    commands,
    pki,
    async close() {
      clearInterval(expiryTimer);
      stopAlerts();
      stopAutoConnect();
      await commands.close();
      fleet.close();
      identity.close();
    },
  };
}

export { ConsoleEvents } from './core/events';
export { createOsKeychain, type Keychain } from './vault/keychain';
export type { SettingsStore } from './settings/settings-service';
