/**
 * Starting the CA over HTTPS (TLS >= 1.2, server certificate from its own CA, optional client certificates), with
 * its broker side: the broker link (one MQTT session as the CA service identity), the CRL publisher, the broker sync
 * (CRL reload and dynamic-security state) and, when given, the managed Mosquitto.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { HealthResponse } from '@helmlink/ca-client/wire';
import { loadAuthority, type Authority, type AuthorityOptions } from '../authority/authority';
import { CrlPublisher, type CrlPublisherTuning } from '../broker/crl-publisher';
import { alertBrokerEvents } from '../broker/events';
import { BrokerLink, type BrokerLinkOptions } from '../broker/link';
import { writeBrokerState } from '../broker/material';
import { attachBrokerSync, reloadBroker, type BrokerSyncHandle, type SyncOptions } from '../broker/sync';
import { brokerTarget } from '../broker/temporary-link';
import { VesselAlertForwarder, type VesselAlertForwarderOptions } from '../broker/vessel-alerts';
import { buildApp, type AppOptions } from './app';

export interface CaServerOptions extends AuthorityOptions, Omit<AppOptions, 'https' | 'brokerHealth'> {
  /** TCP port; 0 picks a free one. Default 8443. */
  port?: number;
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /**
   * The broker the CA connects to (mqtts://host:port) as its service identity: every CRL is published retained on
   * helmlink/v1/pki/crl, and with `brokerSync` the dynamic-security state is driven through it. Default with
   * `brokerSync`: the listener of the material's mosquitto.conf.
   */
  mqttUrl?: string;
  mqtt?: { servername?: string } & CrlPublisherTuning &
    Pick<BrokerLinkOptions, 'backoff' | 'alertAfterMs' | 'controlTimeoutMs'>;
  /**
   * The broker material the CA keeps current (CRL reloaded, dynamic-security state applied, never a restart). A
   * `broker` given here is started with the server (taken over when an earlier run left it running) and stopped
   * with it.
   */
  brokerSync?: SyncOptions;
  /** Keep the CRL fresh with a background timer. Default true. */
  crlTimer?: boolean;
  /**
   * Forward the vessels' signed alerts (their alert topics, read through the broker link) to the alert sink and its
   * webhook, rate-limited and aggregated. Default on whenever the CA has a broker link; `false` turns it off.
   */
  vesselAlerts?: VesselAlertForwarderOptions | false;
}

export interface CaServer {
  url: string;
  port: number;
  authority: Authority;
  app: FastifyInstance;
  /** The CA's MQTT session to its broker, when it has one. */
  link: BrokerLink | undefined;
  /** The vessel alert forwarder (on the link). */
  vesselAlerts: VesselAlertForwarder | undefined;
  publisher: CrlPublisher | undefined;
  brokerSync: BrokerSyncHandle | undefined;
  /** Root certificate fingerprint (SHA-256, hex): what clients pin. */
  rootFingerprint: string;
  /** Graceful shutdown: stop accepting, finish in-flight requests, flush alerts, close the store. */
  close(): Promise<void>;
}

interface BrokerSide {
  link: BrokerLink | undefined;
  vesselAlerts: VesselAlertForwarder | undefined;
  publisher: CrlPublisher | undefined;
  sync: BrokerSyncHandle | undefined;
  health: () => Pick<HealthResponse, 'publishedCrlNumber' | 'broker'>;
  close(): Promise<void>;
}

/** Writes the broker's files, starts a managed broker and connects the CA to it. */
async function startBrokerSide(
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

/** Loads the CA in `dir` and serves it over HTTPS. */
export async function startCaServer(opts: CaServerOptions): Promise<CaServer> {
  const authority = await loadAuthority(opts);
  let broker: BrokerSide | undefined;
  try {
    await authority.refreshRootCrlIfDue();
    const [key, cert] = await Promise.all([
      readFile(authority.paths.serverKey, 'utf8'),
      readFile(authority.paths.serverCert, 'utf8'),
    ]);
    broker = await startBrokerSide(authority, opts, { key, cert });
    const app = buildApp(authority, {
      ...opts,
      brokerHealth: broker.health,
      https: {
        key,
        cert,
        passphrase: opts.passphrase,
        ca: [authority.chainPem()],
        requestCert: true,
        // Enrollment has no client certificate yet: mTLS routes check the peer themselves (client-cert.ts).
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
    });
    await app.listen({ port: opts.port ?? 8443, host: opts.host ?? '127.0.0.1' });
    if (opts.crlTimer !== false) authority.startCrlTimer();
    const port = (app.server.address() as AddressInfo).port;
    const host = opts.host ?? '127.0.0.1';
    const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    const side = broker;
    let closing: Promise<void> | undefined;
    return {
      url: `https://${urlHost}:${port}`,
      port,
      authority,
      app,
      link: side.link,
      vesselAlerts: side.vesselAlerts,
      publisher: side.publisher,
      brokerSync: side.sync,
      rootFingerprint: await authority.rootFingerprint(),
      close() {
        closing ??= (async () => {
          await app.close();
          await side.close();
          await authority.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await broker?.close();
    await authority.close();
    throw err;
  }
}
