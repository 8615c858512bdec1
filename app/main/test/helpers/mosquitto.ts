/** A real Mosquitto for the console tests: mutual TLS on a free port, ACL from the protocol policy. */
import { mkdirSync, writeFileSync } from 'node:fs';
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
  /** Starts it again after {@link stop}, on the same port and configuration. */
  start(): Promise<void>;
  /** Stops and starts it again on the same port (every session drops). */
  restart(): Promise<void>;
  /** Replaces its CRL file (read at the next restart). */
  writeCrl(pem: string): void;
}

/** Writes the configuration and starts mosquitto (stopped by `stop`). */
export async function startMosquitto(
  dir: string,
  pki: TestPki,
  broker: TestEntity,
  subjects: AclSubject[],
): Promise<Broker> {
  mkdirSync(dir, { recursive: true });
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
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      'user root',
      'allow_anonymous false',
      'persistence false',
      'log_dest none',
      `acl_file ${join(dir, 'acl')}`,
      `listener ${port} 127.0.0.1`,
      'set_tcp_nodelay true',
      `cafile ${join(dir, 'ca.pem')}`,
      `certfile ${join(dir, 'broker.pem')}`,
      `keyfile ${join(dir, 'broker.key')}`,
      `crlfile ${join(dir, 'crl.pem')}`,
      'require_certificate true',
      'use_identity_as_username true',
      'tls_version tlsv1.2',
      '',
    ].join('\n'),
  );
  const mosquitto = new ManagedMosquitto({ conf: join(dir, 'mosquitto.conf'), port });
  await mosquitto.start();
  return {
    port,
    url: `mqtts://127.0.0.1:${port}`,
    stop: () => mosquitto.stop(),
    start: () => mosquitto.start(),
    restart: () => mosquitto.restart(),
    writeCrl: (pem) => writeFileSync(join(dir, 'crl.pem'), pem),
  };
}
