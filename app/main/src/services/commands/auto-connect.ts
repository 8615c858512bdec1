/**
 * The `autoConnect` setting, honoured in one place for every transport (Electron, the web bridge, the demo): with
 * it on and a broker address saved, the console connects at start when its identity is ready, and whenever the
 * identity becomes ready later (after enrollment, import or unlock). It never fights the pilot: only from
 * `disconnected`, never while a connection is up, failing or being made. A failure shows in the connection status
 * (its `lastError`), as a manual connect's would.
 */
import type { IdentityStatus } from '@helmlink/app-preload';
import type { ConsoleEvents } from '../core/events';
import type { Logger } from '../core/logger';
import { toApiError } from '../core/errors';
import type { SettingsService } from '../settings/settings-service';
import type { IdentityService } from '../identity/identity-service';
import type { CommandChannel } from './command-channel';

export interface AutoConnectOptions {
  events: ConsoleEvents;
  settings: SettingsService;
  identity: IdentityService;
  commands: CommandChannel;
  logger: Logger;
}

/** Starts honouring the setting (and connects now if it applies); returns the function that stops it. */
export function startAutoConnect(o: AutoConnectOptions): () => void {
  let ready = false;
  const consider = (status: IdentityStatus) => {
    const becameReady = status.state === 'ready' && !ready;
    ready = status.state === 'ready';
    if (!becameReady) return;
    const settings = o.settings.get();
    if (!settings.autoConnect || !settings.brokerUrl) return;
    if (o.commands.connection().state !== 'disconnected') return;
    o.commands
      .connect()
      .catch((err: unknown) => o.logger.warn({ code: toApiError(err).code }, 'auto-connect failed'));
  };
  const stop = o.events.subscribe((event, payload) => {
    if (event === 'identity.changed') consider(payload as IdentityStatus);
  });
  consider(o.identity.status());
  return stop;
}
