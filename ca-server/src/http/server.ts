/**
 * Starting the CA over HTTPS (TLS >= 1.2, server certificate from its own CA, optional client certificates), with
 * its broker side: the broker link (one MQTT session as the CA service identity), the CRL publisher, the broker sync
 * (CRL reload and dynamic-security state) and, when given, the managed Mosquitto.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { HelmlinkError } from '@helmlink/protocol';
import { NODE_TLS_CIPHERS } from '@helmlink/protocol/node';
import { loadAuthority, type Authority, type AuthorityOptions } from '../authority/authority';
import type { CrlPublisher, CrlPublisherTuning } from '../broker/crl-publisher';
import type { BrokerLink, BrokerLinkOptions } from '../broker/link';
import type { BrokerSyncHandle, SyncOptions } from '../broker/sync';
import type { VesselAlertForwarder, VesselAlertForwarderOptions } from '../broker/vessel-alerts';
import { buildApp, type AppOptions } from './app';
import { startBrokerSide, type BrokerSide } from './broker-side';

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
  /** Called after the server stopped because it could not keep a valid service identity (it never serves a revoked one). */
  onFatal?: (err: Error) => void;
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

/** The TLS context of the CA's HTTPS server for the service identity's key and certificate files. */
async function tlsContext(authority: Authority, passphrase: string) {
  const [key, cert] = await Promise.all([
    readFile(authority.paths.serverKey, 'utf8'),
    readFile(authority.paths.serverCert, 'utf8'),
  ]);
  return {
    key,
    cert,
    passphrase,
    ca: [authority.chainPem()],
    minVersion: 'TLSv1.2' as const,
    // AEAD only (TLS 1.3 preferred; TLS 1.2 with ECDHE + AES-GCM/ChaCha20): no CBC-SHA1 suite is offered.
    ciphers: NODE_TLS_CIPHERS,
    honorCipherOrder: true,
  };
}

/**
 * Keeps the server on a valid service identity: after every CRL it checks the certificate it serves, and when the
 * store says it is no longer valid it loads a fresh one (ensureServiceIdentity issues it when the file's is not
 * valid either); when that fails the server stops with a clear message (`onFatal`).
 */
function watchServiceIdentity(
  authority: Authority,
  served: { serial: string },
  onFatal: (err: Error) => void,
): void {
  let checking = false;
  const check = async (): Promise<void> => {
    const record = authority.store.getCertificate(served.serial);
    if (checking || (record?.status === 'valid' && record.notAfter > authority.clock())) return;
    checking = true;
    try {
      const serial = await authority.ensureServiceIdentity();
      // ensureServiceIdentity loaded it through the listeners when it issued one; a valid file is loaded here.
      if (serial !== served.serial) await authority.loadServiceIdentity();
    } catch (cause) {
      onFatal(
        new HelmlinkError(
          'ERR_SERVICE_IDENTITY',
          `the CA service certificate ${served.serial} is no longer valid and no fresh identity could be loaded: stopping`,
          { cause },
        ),
      );
    } finally {
      checking = false;
    }
  };
  // Not awaited inside the CRL listener: a rotation re-issues the CRL, which waits for this listener to return.
  authority.onCrl(() => {
    setImmediate(() => void check());
  });
}

/** Loads the CA in `dir` and serves it over HTTPS. */
export async function startCaServer(opts: CaServerOptions): Promise<CaServer> {
  const authority = await loadAuthority(opts);
  let broker: BrokerSide | undefined;
  try {
    await authority.refreshRootCrlIfDue();
    // Never serve a revoked or expired service certificate: a fresh one is issued first when needed.
    const served = { serial: await authority.ensureServiceIdentity() };
    const tls = await tlsContext(authority, opts.passphrase);
    broker = await startBrokerSide(authority, opts, { key: tls.key, cert: tls.cert });
    const side = broker;
    const app = buildApp(authority, {
      ...opts,
      brokerHealth: side.health,
      https: {
        ...tls,
        requestCert: true,
        // Enrollment has no client certificate yet: mTLS routes check the peer themselves (client-cert.ts).
        rejectUnauthorized: false,
      },
    });
    authority.onServiceIdentity(async (record) => {
      const next = await tlsContext(authority, opts.passphrase);
      (app.server as unknown as TlsServer).setSecureContext(next);
      served.serial = record.serial;
      // The broker link reconnects as the new identity (the one session, so publisher and control follow).
      await side.link?.replaceCredentials(next.key, next.cert);
      app.log.warn({ serial: record.serial }, 'loaded a new CA service identity');
    });
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        await app.close();
        await side.close();
        await authority.close();
      })();
      return closing;
    };
    watchServiceIdentity(authority, served, (err) => {
      app.log.error({ err }, err.message);
      void close().finally(() => opts.onFatal?.(err));
    });
    await app.listen({ port: opts.port ?? 8443, host: opts.host ?? '127.0.0.1' });
    if (opts.crlTimer !== false) authority.startCrlTimer();
    const port = (app.server.address() as AddressInfo).port;
    const host = opts.host ?? '127.0.0.1';
    const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
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
      close,
    };
  } catch (err) {
    await broker?.close();
    await authority.close();
    throw err;
  }
}
