/** Starting the CA over HTTPS (TLS >= 1.2, server certificate from its own CA, optional client certificates). */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { HelmlinkError } from '@helmlink/protocol';
import { NODE_TLS_CIPHERS } from '@helmlink/protocol/node';
import { loadAuthority, type Authority, type AuthorityOptions } from '../authority/authority';
import { CrlPublisher, type CrlPublisherOptions } from '../broker/crl-publisher';
import { attachBrokerSync, type SyncOptions } from '../broker/sync';
import { buildApp, type AppOptions } from './app';

export interface CaServerOptions extends AuthorityOptions, Omit<AppOptions, 'https'> {
  /** TCP port; 0 picks a free one. Default 8443. */
  port?: number;
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /** Publish every CRL retained on helmlink/v1/pki/crl through this broker (mqtts://host:port). */
  mqttUrl?: string;
  mqtt?: Omit<CrlPublisherOptions, 'url'>;
  /** Rewrite the broker's CRL + ACL (and restart a managed broker) after every CRL issuance. */
  brokerSync?: SyncOptions;
  /** Keep the CRL fresh with a background timer. Default true. */
  crlTimer?: boolean;
  /** Called after the server stopped because it could not keep a valid service identity (it never serves a revoked one). */
  onFatal?: (err: Error) => void;
}

export interface CaServer {
  url: string;
  port: number;
  authority: Authority;
  app: FastifyInstance;
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
  try {
    await authority.refreshRootCrlIfDue();
    // Never serve a revoked or expired service certificate: a fresh one is issued first when needed.
    const served = { serial: await authority.ensureServiceIdentity() };
    const tls = await tlsContext(authority, opts.passphrase);
    const app = buildApp(authority, {
      ...opts,
      https: {
        ...tls,
        requestCert: true,
        // Enrollment has no client certificate yet: mTLS routes check the peer themselves (client-cert.ts).
        rejectUnauthorized: false,
      },
    });
    if (opts.brokerSync) attachBrokerSync(authority, opts.brokerSync);
    let publisher: CrlPublisher | undefined;
    const startPublisher = (key: string, cert: string): void => {
      if (!opts.mqttUrl) return;
      publisher = new CrlPublisher(authority, {
        ...opts.mqtt,
        url: opts.mqttUrl,
        key,
        cert,
        passphrase: opts.passphrase,
      });
      publisher.start();
    };
    startPublisher(tls.key, tls.cert);
    authority.onServiceIdentity(async (record) => {
      const next = await tlsContext(authority, opts.passphrase);
      (app.server as unknown as TlsServer).setSecureContext(next);
      served.serial = record.serial;
      await publisher?.stop();
      startPublisher(next.key, next.cert);
      app.log.warn({ serial: record.serial }, 'loaded a new CA service identity');
    });
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        await app.close();
        await publisher?.stop();
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
      rootFingerprint: await authority.rootFingerprint(),
      close,
    };
  } catch (err) {
    await authority.close();
    throw err;
  }
}
