/** `window.helmlink`: the API the renderer uses, one object grouped by feature. */
import type { ApiResult } from './result';
import type { ChannelName, RequestOf, ResponseOf } from './channels';
import type { EventName, Listener, Unsubscribe } from './events';

/** A method for a request channel: no argument when the request is `{}`. */
export type Invoke<C extends ChannelName> = keyof RequestOf<C> extends never
  ? () => Promise<ApiResult<ResponseOf<C>>>
  : Record<string, never> extends RequestOf<C>
    ? (request?: RequestOf<C>) => Promise<ApiResult<ResponseOf<C>>>
    : (request: RequestOf<C>) => Promise<ApiResult<ResponseOf<C>>>;

/** Subscribe to a push event; returns the unsubscribe function. */
export type Subscribe<E extends EventName> = (listener: Listener<E>) => Unsubscribe;

/** `window.helmlink`: one object grouped by feature. Implemented by the preload (Electron) and the web bridge client. */
export interface HelmlinkApi {
  app: {
    info: Invoke<'app.info'>;
    /** Ends this page's web bridge session (no effect under Electron). */
    logout: Invoke<'app.logout'>;
  };
  identity: {
    status: Invoke<'identity.status'>;
    custodyOptions: Invoke<'identity.custodyOptions'>;
    enroll: Invoke<'identity.enroll'>;
    import: Invoke<'identity.import'>;
    renew: Invoke<'identity.renew'>;
    unlock: Invoke<'identity.unlock'>;
    lock: Invoke<'identity.lock'>;
    remove: Invoke<'identity.remove'>;
    onChanged: Subscribe<'identity.changed'>;
    onEnrollProgress: Subscribe<'identity.enrollProgress'>;
  };
  settings: {
    get: Invoke<'settings.get'>;
    update: Invoke<'settings.update'>;
    onChanged: Subscribe<'settings.changed'>;
  };
  fleet: {
    vessels: Invoke<'fleet.vessels'>;
    vessel: Invoke<'fleet.vessel'>;
    rates: Invoke<'fleet.rates'>;
    connection: Invoke<'fleet.connection'>;
    connect: Invoke<'fleet.connect'>;
    disconnect: Invoke<'fleet.disconnect'>;
    alerts: Invoke<'fleet.alerts'>;
    onVessels: Subscribe<'fleet.vessels'>;
    onChanged: Subscribe<'fleet.changed'>;
    onConnection: Subscribe<'fleet.connection'>;
    onRates: Subscribe<'fleet.rates'>;
    onAlerts: Subscribe<'fleet.alerts'>;
  };
  commands: {
    send: Invoke<'commands.send'>;
    list: Invoke<'commands.list'>;
    onStatus: Subscribe<'commands.status'>;
  };
  audit: {
    search: Invoke<'audit.search'>;
    export: Invoke<'audit.export'>;
    onAppended: Subscribe<'audit.appended'>;
  };
  pki: {
    certs: Invoke<'pki.certs'>;
    revoke: Invoke<'pki.revoke'>;
    release: Invoke<'pki.release'>;
    createToken: Invoke<'pki.createToken'>;
    crl: Invoke<'pki.crl'>;
    alerts: Invoke<'pki.alerts'>;
    onAlert: Subscribe<'pki.alert'>;
  };
}
