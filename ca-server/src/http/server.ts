/** Starting the CA over HTTPS (TLS >= 1.2, server certificate from its own CA, optional client certificates). */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
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

/** Loads the CA in `dir` and serves it over HTTPS. */
export async function startCaServer(opts: CaServerOptions): Promise<CaServer> {
  const authority = await loadAuthority(opts);
  try {
    await authority.refreshRootCrlIfDue();
    const [key, cert] = await Promise.all([
      readFile(authority.paths.serverKey, 'utf8'),
      readFile(authority.paths.serverCert, 'utf8'),
    ]);
    const app = buildApp(authority, {
      ...opts,
      https: {
        key,
        cert,
        passphrase: opts.passphrase,
        ca: [authority.chainPem()],
        requestCert: true,
        // Enrollment has no client certificate yet: mTLS routes check the peer themselves (client-cert.ts).
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
        // AEAD only (TLS 1.3 preferred; TLS 1.2 with ECDHE + AES-GCM/ChaCha20): no CBC-SHA1 suite is offered.
        ciphers: NODE_TLS_CIPHERS,
        honorCipherOrder: true,
      },
    });
    if (opts.brokerSync) attachBrokerSync(authority, opts.brokerSync);
    let publisher: CrlPublisher | undefined;
    if (opts.mqttUrl) {
      publisher = new CrlPublisher(authority, {
        ...opts.mqtt,
        url: opts.mqttUrl,
        key,
        cert,
        passphrase: opts.passphrase,
      });
      publisher.start();
    }
    await app.listen({ port: opts.port ?? 8443, host: opts.host ?? '127.0.0.1' });
    if (opts.crlTimer !== false) authority.startCrlTimer();
    const port = (app.server.address() as AddressInfo).port;
    const host = opts.host ?? '127.0.0.1';
    const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    let closing: Promise<void> | undefined;
    return {
      url: `https://${urlHost}:${port}`,
      port,
      authority,
      app,
      rootFingerprint: await authority.rootFingerprint(),
      close() {
        closing ??= (async () => {
          await app.close();
          await publisher?.stop();
          await authority.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await authority.close();
    throw err;
  }
}
