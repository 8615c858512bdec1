/**
 * Real brokers for the MQTT session tests: Mosquitto with mutual TLS (no ACL: every authenticated client may use
 * every topic; a CRL file that can be rewritten and reloaded with SIGHUP) and aedes, a 3.1.1-only broker, behind a
 * mutual-TLS server (for the protocol fallback and refused subscriptions, which Mosquitto 2 never refuses).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { Aedes, type AedesOptions } from 'aedes';
import { certificatesToPem, crlToPem, encodePem, exportPkcs8 } from '../../src';
import { freePort, waitForPort } from '../../src/node';
import { createTestPki, type TestEntity, type TestPki } from '../../src/testing/pki';
import type { TlsCredentials } from '../../src/mqtt';

export interface TestBroker {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Rewrites the CRL file revoking `serials` and makes Mosquitto reload it (new connections only). */
  revoke(serials: string[]): Promise<void>;
}

/** A PKI with a broker certificate for 127.0.0.1. */
export async function createBrokerPki(): Promise<{ pki: TestPki; broker: TestEntity; dir: string }> {
  const pki = await createTestPki();
  const broker = await pki.issue('broker', ['broker'], {
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  return { pki, broker, dir: mkdtempSync(join(tmpdir(), 'helmlink-mqtt-')) };
}

/** TLS credentials of a test entity, trusting the test root. */
export async function credentialsOf(pki: TestPki, entity: TestEntity): Promise<TlsCredentials> {
  return {
    key: encodePem('PRIVATE KEY', await exportPkcs8(entity.keys.privateKey)),
    cert: certificatesToPem(entity.chain),
    ca: certificatesToPem([pki.root.certificate]),
  };
}

/** Starts Mosquitto on a free port with mutual TLS and the issuing CA's CRL. */
export async function startMosquitto(dir: string, pki: TestPki, broker: TestEntity): Promise<TestBroker> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const file = (name: string) => join(dir, name);
  writeFileSync(file('ca.pem'), certificatesToPem([pki.root.certificate, pki.issuing.certificate]));
  writeFileSync(file('broker.pem'), certificatesToPem(broker.chain));
  writeFileSync(file('broker.key'), encodePem('PRIVATE KEY', await exportPkcs8(broker.keys.privateKey)), {
    mode: 0o600,
  });
  let crlNumber = 1;
  writeFileSync(file('crl.pem'), crlToPem(await pki.issuingCrl([], { crlNumber })));
  const conf = [
    'user root',
    'allow_anonymous false',
    'persistence false',
    'log_dest none',
    `listener ${port} 127.0.0.1`,
    'set_tcp_nodelay true',
  ];
  conf.push(
    `cafile ${file('ca.pem')}`,
    `certfile ${file('broker.pem')}`,
    `keyfile ${file('broker.key')}`,
    `crlfile ${file('crl.pem')}`,
  );
  conf.push('require_certificate true', 'use_identity_as_username true', 'max_queued_messages 1000', '');
  writeFileSync(file('mosquitto.conf'), conf.join('\n'));
  let child: ChildProcess | undefined;
  const b: TestBroker = {
    url: `mqtts://127.0.0.1:${port}`,
    port,
    async start() {
      const c = spawn('mosquitto', ['-c', file('mosquitto.conf')], { stdio: 'ignore' });
      child = c;
      await waitForPort(port, 10_000, '127.0.0.1', () => c.exitCode === null);
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      });
    },
    async revoke(serials) {
      const entries = serials.map((serial) => ({ serial, revokedAt: new Date(Date.now() - 1000) }));
      writeFileSync(file('crl.pem'), crlToPem(await pki.issuingCrl(entries, { crlNumber: ++crlNumber })));
      child?.kill('SIGHUP');
      // SIGHUP is asynchronous: give Mosquitto a moment to reload before the next handshake.
      await new Promise((r) => setTimeout(r, 300));
    },
  };
  await b.start();
  return b;
}

export interface TestAedes {
  url: string;
  close(): Promise<void>;
}

/** aedes (MQTT 3.1.1 only: it refuses MQTT 5 with return code 1) behind mutual TLS on a free port. */
export async function startAedes(
  pki: TestPki,
  broker: TestEntity,
  options: AedesOptions = {},
): Promise<TestAedes> {
  const aedes = await Aedes.createBroker(options);
  const port = await freePort();
  const server: Server = createServer(
    {
      key: encodePem('PRIVATE KEY', await exportPkcs8(broker.keys.privateKey)),
      cert: certificatesToPem(broker.chain),
      ca: certificatesToPem([pki.root.certificate]),
      requestCert: true,
      rejectUnauthorized: true,
    },
    aedes.handle,
  );
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `mqtts://127.0.0.1:${port}`,
    async close() {
      server.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

/** Waits until `predicate` is true (polling; no timed assertions). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
