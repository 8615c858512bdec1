/**
 * The broker side of `ca serve`: the broker's files written, a managed broker started (or taken over), the broker
 * link (one MQTT session as the CA service identity), the CRL publisher, the broker sync (CRL reload and
 * dynamic-security state) and the vessel alert forwarder on that link.
 */
import type { HealthResponse } from '@helmlink/ca-client/wire';
import type { Authority } from '../authority/authority';
import { CrlPublisher } from '../broker/crl-publisher';
import { alertBrokerEvents } from '../broker/events';
import { BrokerLink } from '../broker/link';
import { writeBrokerState } from '../broker/material';
import { attachBrokerSync, reloadBroker, type BrokerSyncHandle } from '../broker/sync';
import { brokerTarget } from '../broker/temporary-link';
import { VesselAlertForwarder } from '../broker/vessel-alerts';
import type { CaServerOptions } from './server';

export interface BrokerSide {
  link: BrokerLink | undefined;
  vesselAlerts: VesselAlertForwarder | undefined;
  publisher: CrlPublisher | undefined;
  sync: BrokerSyncHandle | undefined;
  health: () => Pick<HealthResponse, 'publishedCrlNumber' | 'broker'>;
  close(): Promise<void>;
}

/** Writes the broker's files, starts a managed broker and connects the CA to it. */
export async function startBrokerSide(
  authority: Authority,
  opts: CaServerOptions,
  tls: { key: string; cert: string },
): Promise<BrokerSide> {
  const sync = opts.brokerSync;
  const offEvents = sync?.broker ? alertBrokerEvents(sync.broker, authority.alerts) : undefined;
  if (sync) {
    await writeBrokerState(authority, sync.outDir, sync.runAsUser);
    await sync.broker?.start();
    // A broker taken over from an earlier run still has the CRL it loaded then.
    reloadBroker(sync);
  }
  const target = opts.mqttUrl
    ? { url: opts.mqttUrl, ...(opts.mqtt?.servername ? { servername: opts.mqtt.servername } : {}) }
    : sync
      ? brokerTarget(sync.outDir)
      : undefined;
  if (!target)
    return {
      link: undefined,
      vesselAlerts: undefined,
      publisher: undefined,
      sync: undefined,
      health: () => ({}),
      close: async () => offEvents?.(),
    };
  const forwarder =
    opts.vesselAlerts === false ? undefined : new VesselAlertForwarder(authority, opts.vesselAlerts ?? {});
  const link = new BrokerLink({
    ...target,
    ...(forwarder ? { subscriptions: forwarder.subscription() } : {}),
    clientId: authority.config.serviceId,
    key: tls.key,
    cert: tls.cert,
    passphrase: opts.passphrase,
    ca: authority.chainPem(),
    control: sync !== undefined,
    alerts: authority.alerts,
    clock: authority.clock,
    ...(opts.mqtt?.backoff ? { backoff: opts.mqtt.backoff } : {}),
    ...(opts.mqtt?.alertAfterMs !== undefined ? { alertAfterMs: opts.mqtt.alertAfterMs } : {}),
    ...(opts.mqtt?.controlTimeoutMs !== undefined ? { controlTimeoutMs: opts.mqtt.controlTimeoutMs } : {}),
  });
  const publisher = new CrlPublisher(authority, link, opts.mqtt ?? {});
  const handle = sync ? attachBrokerSync(authority, { ...sync, link }) : undefined;
  publisher.start();
  link.start();
  return {
    link,
    vesselAlerts: forwarder,
    publisher,
    sync: handle,
    health: () => {
      const p = publisher.status();
      const s = handle?.status();
      return {
        publishedCrlNumber: p.publishedCrlNumber,
        broker: {
          ...link.status(),
          publishFailures: p.failures,
          ...(s ? { syncedCrlNumber: s.crlNumber, reload: s.reload, syncedAt: s.syncedAt } : {}),
        },
      };
    },
    async close() {
      handle?.stop();
      await publisher.stop();
      await handle?.idle();
      await link.close();
      forwarder?.close();
      await sync?.broker?.stop();
      offEvents?.();
    },
  };
}
