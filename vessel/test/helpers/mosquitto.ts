/** A real Mosquitto per test file: mutual TLS on a free port, ACL from the protocol policy, persistence on. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  certificatesToPem,
  crlToPem,
  encodePem,
  exportPkcs8,
  renderMosquittoAcl,
  type AclSubject,
} from '@helmlink/protocol';
import type { TestEntity, TestPki } from '@helmlink/protocol/testing';
import { freePort } from '@helmlink/protocol/node';
import { ManagedMosquitto } from '@helmlink/ca-server/broker';

export interface Broker {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
}

/** Writes the conf and starts mosquitto. */
export async function startMosquitto(
  dir: string,
  pki: TestPki,
  broker: TestEntity,
  subjects: AclSubject[],
): Promise<Broker> {
  mkdirSync(join(dir, 'db'), { recursive: true });
  const port = await freePort();
  writeFileSync(join(dir, 'ca.pem'), certificatesToPem([pki.root.certificate, pki.issuing.certificate]));
  writeFileSync(join(dir, 'broker.pem'), certificatesToPem(broker.chain));
  writeFileSync(
    join(dir, 'broker.key'),
    encodePem('PRIVATE KEY', await exportPkcs8(broker.keys.privateKey)),
    { mode: 0o600 },
  );
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
  const mosquitto = new ManagedMosquitto({ conf: join(dir, 'mosquitto.conf'), port });
  const b: Broker = {
    port,
    url: `mqtts://127.0.0.1:${port}`,
    start: () => mosquitto.start(),
    stop: () => mosquitto.stop(),
    restart: () => mosquitto.restart(),
  };
  await b.start();
  return b;
}
