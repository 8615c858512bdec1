/** A real Mosquitto per test file: mutual TLS on a free port, ACL from the protocol policy, persistence on. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { certificatesToPem, crlToPem, encodePem, exportPkcs8, renderMosquittoAcl, type AclSubject } from '@helmlink/protocol';
import type { TestEntity, TestPki } from '@helmlink/protocol/testing';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Broker {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
}

/** Writes the conf and starts mosquitto. */
export async function startMosquitto(dir: string, pki: TestPki, broker: TestEntity, subjects: AclSubject[]): Promise<Broker> {
  mkdirSync(join(dir, 'db'), { recursive: true });
  const port = await freePort();
  writeFileSync(join(dir, 'ca.pem'), certificatesToPem([pki.root.certificate, pki.issuing.certificate]));
  writeFileSync(join(dir, 'broker.pem'), certificatesToPem(broker.chain));
  writeFileSync(join(dir, 'broker.key'), encodePem('PRIVATE KEY', await exportPkcs8(broker.keys.privateKey)), { mode: 0o600 });
  writeFileSync(join(dir, 'crl.pem'), crlToPem(await pki.issuingCrl([], { crlNumber: 1 })));
  writeFileSync(join(dir, 'acl'), renderMosquittoAcl(subjects));
  const conf = [
    'user root',
    'per_listener_settings false',
    'allow_anonymous false',
    'persistence true',
    `persistence_location ${join(dir, 'db')}/`,
    'autosave_interval 1',
    'log_dest none',
    `acl_file ${join(dir, 'acl')}`,
    `listener ${port} 127.0.0.1`,
    'set_tcp_nodelay true',
    `cafile ${join(dir, 'ca.pem')}`,
    `certfile ${join(dir, 'broker.pem')}`,
    `keyfile ${join(dir, 'broker.key')}`,
    'require_certificate true',
    'use_identity_as_username true',
    'tls_version tlsv1.2',
    'max_queued_messages 10000',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'mosquitto.conf'), conf);
  let child: ChildProcess | undefined;
  const b: Broker = {
    port,
    url: `mqtts://127.0.0.1:${port}`,
    async start() {
      child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
      await waitForPort(port);
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
    async restart() {
      await b.stop();
      await b.start();
    },
  };
  await b.start();
  return b;
}
