/** `helmlink ca broker` and `helmlink ca broker sync`: Mosquitto material from the CA. */
import { readFileSync } from 'node:fs';
import { defineCommand, EXIT_OK, required, UsageError } from '@helmlink/protocol/node';
import { loadAuthority } from '../authority/authority';
import { brokerPaths, writeBrokerMaterial, writeCrlAndAcl } from '../broker/material';
import { signalDaemon } from '../broker/sync';
import { abs, PASSPHRASE_HELP, readPassphrase } from './common';

export const caBrokerCommand = defineCommand({
  name: 'ca broker',
  summary: 'Issue the broker certificate and write mosquitto.conf, CA bundle, CRL and ACL',
  usage: `
Usage: helmlink ca broker --dir DIR --out OUTDIR --host NAME... [--port 8883] [--listen ADDR] [--broker-id ID] [--passphrase-file FILE]

Writes to OUTDIR: mosquitto.conf (TLS 1.2+ listener, require_certificate, use_identity_as_username, cafile,
crlfile, acl_file, allow_anonymous false, set_tcp_nodelay true), broker.crt.pem, broker.key.pem (0600), ca.pem,
crl.pem and acl. Run as root, the files are handed to the mosquitto user (it drops privileges before reading
them); OUTDIR's parent directories must be traversable by that user. Start with: mosquitto -c OUTDIR/mosquitto.conf

${PASSPHRASE_HELP}
Exit codes: 0 written, 1 refused, 2 usage.
`,
  options: {
    dir: { type: 'string' },
    out: { type: 'string' },
    host: { type: 'string', multiple: true },
    port: { type: 'string' },
    listen: { type: 'string' },
    'broker-id': { type: 'string' },
    'passphrase-file': { type: 'string' },
  },
  async run({ values, io }) {
    const dir = abs(io, required(values.dir, '--dir'));
    const outDir = abs(io, required(values.out, '--out'));
    const hosts = values.host ?? [];
    if (hosts.length === 0) throw new UsageError('missing required option --host');
    const port = Number(values.port ?? 8883);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('--port must be 1..65535');
    const authority = await loadAuthority({ dir, passphrase: readPassphrase(io, values['passphrase-file']) });
    try {
      const m = await writeBrokerMaterial(authority, {
        outDir,
        hosts,
        port,
        ...(values.listen ? { listen: values.listen } : {}),
        ...(values['broker-id'] ? { brokerId: values['broker-id'] } : {}),
      });
      io.stdout.write(`Broker material written to ${m.outDir}\n  mosquitto -c ${m.conf}\n`);
      return EXIT_OK;
    } finally {
      await authority.close();
    }
  },
});

export const caBrokerSyncCommand = defineCommand({
  name: 'ca broker sync',
  summary: 'Rewrite the broker CRL and ACL from the CA and reload or restart the broker',
  usage: `
Usage: helmlink ca broker sync --dir DIR --out OUTDIR [--reload] [--passphrase-file FILE]

Rewrites OUTDIR/crl.pem and OUTDIR/acl from the store. If a broker started from OUTDIR/mosquitto.conf runs
(pid in OUTDIR/mosquitto.pid), it is restarted (default) so that already-open sessions of revoked clients are cut
— a SIGHUP alone reloads CRL and ACL but keeps those sessions. --reload sends only SIGHUP.

${PASSPHRASE_HELP}
Exit codes: 0 synced, 1 refused, 2 usage.
`,
  options: {
    dir: { type: 'string' },
    out: { type: 'string' },
    reload: { type: 'boolean' },
    'passphrase-file': { type: 'string' },
  },
  async run({ values, io }) {
    const dir = abs(io, required(values.dir, '--dir'));
    const outDir = abs(io, required(values.out, '--out'));
    const authority = await loadAuthority({ dir, passphrase: readPassphrase(io, values['passphrase-file']) });
    try {
      await writeCrlAndAcl(authority, outDir);
    } finally {
      await authority.close();
    }
    let port = 8883;
    let host = '127.0.0.1';
    try {
      const listener = /^listener (\d+)(?: (\S+))?$/mu.exec(readFileSync(brokerPaths(outDir).conf, 'utf8'));
      if (listener) {
        port = Number(listener[1]);
        host = listener[2] ?? '127.0.0.1';
      }
    } catch {
      throw new UsageError(`no mosquitto.conf in ${outDir} (run helmlink ca broker first)`);
    }
    const done = await signalDaemon(outDir, values.reload ? 'reload' : 'restart', port, host);
    io.stdout.write(
      `CRL and ACL rewritten in ${outDir}; broker: ${done === 'none' ? 'not running (nothing signalled)' : done}\n`,
    );
    return EXIT_OK;
  },
});
