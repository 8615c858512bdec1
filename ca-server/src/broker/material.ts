/**
 * Broker material for Mosquitto: the broker certificate (role broker, serverAuth), the CA bundle, the current CRL,
 * the dynamic-security plugin's state from the store (one client and role per active identity, policy:
 * protocol/src/acl.ts; see dynsec/policy.ts) and a mosquitto.conf with a mutual-TLS listener that loads the plugin.
 * Files are made readable by the `mosquitto` user when we run as root (Mosquitto drops privileges before it reads
 * them, and the plugin writes its state file as that user); the key stays unreadable to anyone else.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  assertEntityId,
  certificateToPem,
  encodePem,
  exportPkcs8,
  generateKeyPair,
} from '@helmlink/protocol';
import { TLS12_AEAD_CIPHERS, TLS13_CIPHERSUITES, writeFileAtomic } from '@helmlink/protocol/node';
import type { Authority } from '../authority/authority';
import { issueRecord } from '../authority/issue';
import { desiredDynsecState, renderDynsecConfig } from './dynsec/policy';

/** Debian's build of the dynamic-security plugin (package mosquitto). */
export const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

export interface BrokerMaterialOptions {
  /** Output directory (created). */
  outDir: string;
  /** Host names / IP addresses the broker is reached at (SAN of its certificate). */
  hosts: string[];
  /** Listener port. Default 8883. */
  port?: number;
  /** Listener address. Default: all interfaces. */
  listen?: string;
  /** Entity id (CN) of the broker certificate. Default `broker`. */
  brokerId?: string;
  /** Broker certificate lifetime in days. Default 365. */
  validityDays?: number;
  /** Keep persistent sessions across restarts (persistence true in outDir). Default true. */
  persistence?: boolean;
  /**
   * The user Mosquitto runs as after dropping privileges. Default `mosquitto` when that user exists and we run as
   * root; files are chowned to it.
   */
  runAsUser?: string;
  /** Path of the dynamic-security plugin. Default {@link DYNSEC_PLUGIN}. */
  dynsecPlugin?: string;
}

export interface BrokerMaterial {
  outDir: string;
  conf: string;
  cafile: string;
  certfile: string;
  keyfile: string;
  crlfile: string;
  dynsecfile: string;
  pidfile: string;
  port: number;
  brokerSerial: string;
}

const isIp = (h: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/u.test(h) || h.includes(':');

/** uid/gid of a local user, or undefined. */
function lookupUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** Who should own the broker files: the mosquitto user when we are root, else nobody (same user runs it). */
export function brokerFileOwner(runAsUser?: string): { uid: number; gid: number; user: string } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const user = runAsUser ?? 'mosquitto';
  const ids = lookupUser(user);
  return ids ? { ...ids, user } : undefined;
}

function own(path: string, owner: ReturnType<typeof brokerFileOwner>, mode: number): void {
  if (owner) chownSync(path, owner.uid, owner.gid);
  chmodSync(path, mode);
}

/** Paths of the material in `outDir`. */
export function brokerPaths(outDir: string) {
  const dir = resolve(outDir);
  return {
    outDir: dir,
    conf: join(dir, 'mosquitto.conf'),
    cafile: join(dir, 'ca.pem'),
    certfile: join(dir, 'broker.crt.pem'),
    keyfile: join(dir, 'broker.key.pem'),
    crlfile: join(dir, 'crl.pem'),
    dynsecfile: join(dir, 'dynamic-security.json'),
    pidfile: join(dir, 'mosquitto.pid'),
    dataDir: join(dir, 'data'),
  };
}

/** Writes the current CRL to `outDir/crl.pem`; returns its number. */
export async function writeBrokerCrl(
  authority: Authority,
  outDir: string,
  runAsUser?: string,
): Promise<number> {
  const p = brokerPaths(outDir);
  const crl = await authority.currentCrl();
  writeFileAtomic(p.crlfile, crl.pem, { mode: 0o644 });
  own(p.crlfile, brokerFileOwner(runAsUser), 0o644);
  return crl.number;
}

/**
 * Writes the dynamic-security state the store calls for to `outDir/dynamic-security.json`: what a broker loads when
 * it starts. A running broker ignores the file (it holds its state in memory and rewrites the file after each
 * change it is told through `$CONTROL`), so a running broker is changed through {@link DynsecControl} instead.
 */
export function writeDynsecFile(authority: Authority, outDir: string, runAsUser?: string): void {
  const p = brokerPaths(outDir);
  const state = desiredDynsecState(
    authority.store.listActiveIdentities(authority.clock()),
    authority.config.serviceId,
  );
  writeFileAtomic(p.dynsecfile, renderDynsecConfig(state), { mode: 0o640 });
  own(p.dynsecfile, brokerFileOwner(runAsUser), 0o640);
}

/** Writes crl.pem and the dynamic-security file from the authority's current state. */
export async function writeBrokerState(
  authority: Authority,
  outDir: string,
  runAsUser?: string,
): Promise<void> {
  await writeBrokerCrl(authority, outDir, runAsUser);
  writeDynsecFile(authority, outDir, runAsUser);
}

/** Issues the broker certificate and writes mosquitto.conf, certificates, key, CRL and ACL to `outDir`. */
export async function writeBrokerMaterial(
  authority: Authority,
  opts: BrokerMaterialOptions,
): Promise<BrokerMaterial> {
  if (opts.hosts.length === 0) throw new TypeError('at least one broker host name is required');
  const brokerId = assertEntityId(opts.brokerId ?? 'broker');
  const port = opts.port ?? 8883;
  const p = brokerPaths(opts.outDir);
  const owner = brokerFileOwner(opts.runAsUser);
  mkdirSync(p.outDir, { recursive: true, mode: 0o750 });
  own(p.outDir, owner, 0o750);

  const keys = await generateKeyPair('ecdsa-p256');
  const now = new Date(authority.clock());
  const { pem, record } = await issueRecord({
    identity: { entityId: brokerId, roles: ['broker'] },
    publicKey: keys.publicKey,
    issuer: authority.issuing,
    now,
    validityDays: opts.validityDays ?? 365,
    organization: authority.config.organization,
    dnsNames: opts.hosts.filter((h) => !isIp(h)),
    ipAddresses: opts.hosts.filter(isIp),
  });
  authority.store.transaction(() => {
    authority.store.insertCertificate(record);
    authority.store.appendAudit({
      ts: now.getTime(),
      actor: 'cli',
      action: 'certificate.issue',
      details: {
        serial: record.serial,
        entityId: brokerId,
        roles: ['broker'],
        via: 'broker-material',
        hosts: opts.hosts,
      },
    });
  });

  writeFileAtomic(p.keyfile, encodePem('PRIVATE KEY', await exportPkcs8(keys.privateKey)), { mode: 0o600 });
  own(p.keyfile, owner, 0o600);
  writeFileAtomic(p.certfile, `${pem}${certificateToPem(authority.issuing.certificate)}`, { mode: 0o644 });
  own(p.certfile, owner, 0o644);
  writeFileAtomic(p.cafile, authority.chainPem(), { mode: 0o644 });
  own(p.cafile, owner, 0o644);
  await writeBrokerState(authority, p.outDir, opts.runAsUser);

  const persistence = opts.persistence ?? true;
  if (persistence && !existsSync(p.dataDir)) mkdirSync(p.dataDir, { mode: 0o750 });
  if (persistence) own(p.dataDir, owner, 0o750);
  const conf = [
    '# Mosquitto configuration generated by `helmlink ca broker`. Regenerate rather than edit.',
    '# Mutual TLS only: clients present a certificate from the Helmlink CA; the MQTT username is its CN.',
    'per_listener_settings false',
    'allow_anonymous false',
    '# Without it every TLS connect stalls ~45 ms (Nagle + delayed ACK).',
    'set_tcp_nodelay true',
    ...(owner ? [`user ${owner.user}`] : []),
    `pid_file ${p.pidfile}`,
    ...(persistence
      ? ['persistence true', `persistence_location ${p.dataDir}/`, 'autosave_interval 60']
      : ['persistence false']),
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'connection_messages true',
    '# Access control: the dynamic-security plugin, driven by the CA over $CONTROL/dynamic-security/v1 (new',
    '# enrollments and revocations apply at once, no restart). A client it does not know may complete its TLS',
    '# handshake but can do nothing; revoked certificates are refused by the CRL (reloaded with SIGHUP).',
    `plugin ${opts.dynsecPlugin ?? DYNSEC_PLUGIN}`,
    `plugin_opt_config_file ${p.dynsecfile}`,
    '',
    `listener ${port}${opts.listen ? ` ${opts.listen}` : ''}`,
    'protocol mqtt',
    'tls_version tlsv1.2',
    `ciphers ${TLS12_AEAD_CIPHERS.join(':')}`,
    `ciphers_tls1.3 ${TLS13_CIPHERSUITES.join(':')}`,
    `cafile ${p.cafile}`,
    `certfile ${p.certfile}`,
    `keyfile ${p.keyfile}`,
    `crlfile ${p.crlfile}`,
    'require_certificate true',
    'use_identity_as_username true',
    '',
  ].join('\n');
  writeFileAtomic(p.conf, conf, { mode: 0o644 });
  own(p.conf, owner, 0o644);
  return { ...p, port, brokerSerial: record.serial };
}
