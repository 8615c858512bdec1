/** The channel handlers: thin mapping from validated requests to service calls. */
import { CONTRACT_VERSION } from '@helmlink/app-preload';
import type { ConsoleServices } from '../services';
import type { Handlers } from './router';

/** The console's version, shown in the about box. */
export const CONSOLE_VERSION = '0.1.0';

/** Builds every channel handler over the services. */
export function createHandlers(s: ConsoleServices): Handlers {
  return {
    'app.info': (_req, ctx) => ({
      version: CONSOLE_VERSION,
      contractVersion: CONTRACT_VERSION,
      transport: ctx.transport,
      platform: process.platform,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    }),
    'app.logout': (_req, ctx) => {
      if (!ctx.endSession) return { loggedOut: false };
      ctx.endSession();
      return { loggedOut: true };
    },

    'identity.status': () => s.identity.status(),
    'identity.custodyOptions': () => s.identity.custodyOptions(),
    'identity.enroll': (req) => s.identity.enroll(req),
    'identity.import': (req) => s.identity.import(req),
    'identity.renew': () => s.identity.renew(),
    'identity.unlock': (req) => s.identity.unlock(req.passphrase),
    'identity.lock': () => s.identity.lock(),
    'identity.remove': async () => {
      await s.commands.disconnect();
      s.fleet.clear();
      return s.identity.remove();
    },

    'settings.get': () => s.settings.get(),
    'settings.update': (req) => s.settings.update(req),

    'fleet.vessels': () => s.fleet.vessels(),
    'fleet.vessel': (req) => s.fleet.vessel(req.vesselId),
    'fleet.rates': () => s.commands.rates(),
    'fleet.connection': () => s.commands.connection(),
    'fleet.connect': () => s.commands.connect(),
    'fleet.disconnect': () => s.commands.disconnect(),
    'fleet.alerts': () => s.fleet.alerts(),

    'commands.send': (req) => s.commands.send(req),
    'commands.list': (req) => s.commands.list(req.vesselId, req.limit),

    'audit.search': (req) => s.audit.search(req),
    'audit.export': (req) => s.audit.exportJsonl(req),

    'pki.certs': (req) => s.pki.certs(req),
    'pki.revoke': (req) => s.pki.revoke(req),
    'pki.release': (req) => s.pki.release(req.serial),
    'pki.createToken': (req) => s.pki.createToken(req),
    'pki.crl': () => s.pki.crl(),
    'pki.alerts': (req) => s.pki.alerts(req),
  };
}
