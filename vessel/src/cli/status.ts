/** `helmlink vessel status --config FILE [--json]`: identity, certificate expiry, CRL age, broker reachability, streams. */
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { defineCommand, required, EXIT_OK } from '@helmlink/protocol/node';
import { certificateFingerprint, certificatesToPem, readIdentity } from '@helmlink/protocol';
import { readPassphrase, type VesselConfig } from '../config';
import { loadConfigForCli } from './config';
import { identityPaths, loadCachedCrls, loadIdentity } from '../identity/files';
import { CrlCache, crlNumber } from '../trust/crls';
import { StateStore } from '../state';
import { existsSync, readFileSync } from 'node:fs';

/** Tries a mutual-TLS handshake with the broker (no MQTT session, so a running listener is not disturbed). */
function probeBroker(config: VesselConfig, tls: { key: string; cert: string; ca: string }): Promise<string> {
  const url = new URL(config.broker.url);
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: url.hostname,
      port: Number(url.port || 8883),
      key: tls.key,
      cert: tls.cert,
      ca: tls.ca,
      ...(config.broker.servername
        ? { servername: config.broker.servername }
        : isIP(url.hostname)
          ? {}
          : { servername: url.hostname }),
      timeout: 3000,
    });
    const done = (s: string) => {
      socket.destroy();
      resolve(s);
    };
    socket.once('secureConnect', () =>
      done(
        socket.authorized ? 'reachable (mutual TLS ok)' : `untrusted: ${String(socket.authorizationError)}`,
      ),
    );
    socket.once('timeout', () => done('unreachable (timeout)'));
    socket.once('error', (err) => done(`unreachable (${err.message})`));
  });
}

/** The running listener's connection, from runtime.json (only when its pid is alive). */
function readRuntime(path: string): string {
  let r: { pid?: number | null; connected?: boolean; since?: string; protocolVersion?: number };
  try {
    r = JSON.parse(readFileSync(path, 'utf8')) as typeof r;
  } catch {
    return 'not running';
  }
  if (typeof r.pid !== 'number') return 'not running';
  try {
    process.kill(r.pid, 0);
  } catch {
    return 'not running (stale runtime file)';
  }
  return r.connected
    ? `running (pid ${r.pid}), connected since ${r.since} (MQTT ${r.protocolVersion === 4 ? '3.1.1' : '5'})`
    : `running (pid ${r.pid}), not connected since ${r.since}`;
}

export const vesselStatusCommand = defineCommand({
  name: 'vessel status',
  summary: 'Print the vessel identity, certificate expiry, CRL age, broker reachability and stream state',
  usage: `
Usage: helmlink vessel status --config FILE [--json]

  --config FILE   vessel config (JSON)
  --json          machine-readable output

Reads the data dir (key passphrase as configured), and probes the broker with a mutual-TLS handshake.
Exit codes: 0 printed, 1 not enrolled or key unreadable (reason code), 2 usage, unreadable or invalid config.
`,
  options: { config: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const config = await loadConfigForCli(required(values.config, '--config'));
    const identity = await loadIdentity(config.dataDir, await readPassphrase(config, io.env));
    const crls = new CrlCache([identity.root, ...identity.chain.slice(1)]);
    await crls.offerAll(await loadCachedCrls(config.dataDir));
    const crl = crls.forIssuerOf(identity.certificate);
    const now = Date.now();
    const paths = identityPaths(config.dataDir);
    const state = existsSync(paths.state) ? StateStore.read(paths.state, config.catalog) : undefined;
    const streams = state?.streams ?? { on: config.catalog.streams.map((s) => s.address), off: [] };
    const out = {
      vesselId: config.vesselId,
      roles: readIdentity(identity.certificate).roles,
      certificate: {
        serial: identity.certificate.serialNumber,
        notAfter: identity.certificate.notAfter.toISOString(),
        expiresInDays: Math.round(((identity.certificate.notAfter.getTime() - now) / 86_400_000) * 10) / 10,
        fingerprint: await certificateFingerprint(identity.certificate),
      },
      crl: crl
        ? {
            number: crlNumber(crl),
            thisUpdate: new Date(crl.thisUpdate).toISOString(),
            nextUpdate: crl.nextUpdate === undefined ? null : new Date(crl.nextUpdate).toISOString(),
            ageSeconds: Math.round((now - crl.thisUpdate) / 1000),
            stale: crl.nextUpdate !== undefined && now > crl.nextUpdate + config.crl.graceSeconds * 1000,
          }
        : null,
      broker: {
        url: config.broker.url,
        connection: await probeBroker(config, {
          key: identity.tlsKeyPem,
          cert: certificatesToPem(identity.chain),
          ca: certificatesToPem([identity.root]),
        }),
        listener: readRuntime(paths.runtime),
      },
      streams: config.catalog.streams.map((s) => ({
        id: s.id,
        address: s.address,
        on: streams.on.includes(s.address),
      })),
      seq: state?.seq ?? 0,
      lastJti: state?.lastJti ?? null,
    };
    state?.close();
    if (values.json) {
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return EXIT_OK;
    }
    const lines = [
      `vessel       ${out.vesselId} (${out.roles.join(', ')})`,
      `certificate  serial ${out.certificate.serial}, expires ${out.certificate.notAfter} (${out.certificate.expiresInDays} days)`,
      `crl          ${out.crl ? `#${out.crl.number}, ${out.crl.ageSeconds} s old, next update ${out.crl.nextUpdate}${out.crl.stale ? ' — STALE' : ''}` : 'none cached'}`,
      `broker       ${out.broker.url}: ${out.broker.connection}`,
      `listener     ${out.broker.listener}`,
      `state        seq ${out.seq}, last command ${out.lastJti ?? '-'}`,
      ...out.streams.map((s) => `  ${s.on ? 'ON ' : 'off'}  ${s.id.padEnd(12)} ${s.address}`),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_OK;
  },
});
