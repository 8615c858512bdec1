/** `helmlink ca broker` and `helmlink ca broker sync`: Mosquitto material from the CA. */
import { defineCommand, EXIT_OK, required, UsageError, waitForPort } from '@helmlink/protocol/node';
import { loadAuthority } from '../authority/authority';
import { readBrokerConf } from '../broker/broker-conf';
import { brokerPaths, writeBrokerMaterial, writeBrokerState } from '../broker/material';
import { syncBroker, type SyncResult } from '../broker/sync';
import { abs, PASSPHRASE_HELP, readPassphrase } from './common';

export const caBrokerCommand = defineCommand({
  name: 'ca broker',
  summary: 'Issue the broker certificate and write mosquitto.conf, CA bundle, CRL and ACL',
  usage: `
Usage: helmlink ca broker --dir DIR --out OUTDIR --host NAME... [--port 8883] [--listen ADDR] [--broker-id ID] [--passphrase-file FILE]

Writes to OUTDIR: mosquitto.conf (TLS 1.2+ listener, require_certificate, use_identity_as_username, cafile,
crlfile, allow_anonymous false, set_tcp_nodelay true, and the dynamic-security plugin for access control),
broker.crt.pem, broker.key.pem (0600), ca.pem, crl.pem and dynamic-security.json (one client and role per
identity of the CA store). Run as root, the files are handed to the mosquitto user (it drops privileges before
reading them, and the plugin rewrites its file as that user); OUTDIR's parent directories must be traversable by
that user. Start with: mosquitto -c OUTDIR/mosquitto.conf

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
  summary: "Bring a broker up to date with the CA: reload the CRL, apply the store's identities",
  usage: `
Usage: helmlink ca broker sync --dir DIR --out OUTDIR [--passphrase-file FILE]

Writes the CA's current CRL to OUTDIR/crl.pem and reloads the broker started from OUTDIR/mosquitto.conf (SIGHUP to
the pid in OUTDIR/mosquitto.pid: open sessions stay), then connects to it as the CA service identity and brings
its dynamic-security plugin to the store's identities (new ones get their permissions, those without a valid
certificate are deleted and their sessions cut). The broker is never restarted.

The CRL is the one the CA keeps in DIR/crl.pem (written by a running 'helmlink ca serve', with its lifetime): a new
CRL is issued here only when that one has expired. Run it from a timer when no 'ca serve --broker-out' keeps the
broker current (see docs/ca-server.md).

${PASSPHRASE_HELP}
Exit codes: 0 synced, 1 refused (e.g. the broker refused a dynamic-security command), 2 usage.
`,
  options: {
    dir: { type: 'string' },
    out: { type: 'string' },
    'passphrase-file': { type: 'string' },
  },
  async run({ values, io }) {
    const dir = abs(io, required(values.dir, '--dir'));
    const outDir = abs(io, required(values.out, '--out'));
    let conf: ReturnType<typeof readBrokerConf>;
    try {
      conf = readBrokerConf(brokerPaths(outDir).conf);
    } catch {
      throw new UsageError(`no usable mosquitto.conf in ${outDir} (run helmlink ca broker first)`);
    }
    if (!conf.dynsecFile)
      throw new UsageError(`${conf.conf} predates the dynamic-security plugin: run helmlink ca broker again`);
    const host = conf.listen && conf.listen !== '0.0.0.0' && conf.listen !== '::' ? conf.listen : '127.0.0.1';
    const listening = await waitForPort(conf.port, 1000, host).then(
      () => true,
      () => false,
    );
    const authority = await loadAuthority({
      dir,
      passphrase: readPassphrase(io, values['passphrase-file']),
      crlMode: 'follow',
    });
    let result: SyncResult | { crlNumber: number; reload: 'none' };
    try {
      result = listening
        ? await syncBroker(authority, { outDir })
        : { crlNumber: (await authority.currentCrl()).number, reload: 'none' as const };
      if (!listening) await writeBrokerState(authority, outDir);
    } finally {
      await authority.close();
    }
    io.stdout.write(`${describe(outDir, listening, result)}\n`);
    return EXIT_OK;
  },
});

function describe(
  outDir: string,
  listening: boolean,
  r: SyncResult | { crlNumber: number; reload: 'none' },
): string {
  const crl = `CRL ${r.crlNumber} written to ${outDir}`;
  if (!listening) return `${crl}; broker: not running (it loads the CRL and identities when it starts)`;
  const reload =
    r.reload === 'none'
      ? 'not signalled (no pid we may signal: reload it, e.g. with the helmlink-broker-reload.path unit)'
      : 'reloaded (SIGHUP)';
  const commands = 'commands' in r ? r.commands : [];
  const cut = [
    ...commands.filter((c) => c.command === 'deleteClient').map((c) => String(c.username)),
    ...('kicked' in r ? r.kicked : []),
  ];
  const applied = commands.length === 0 ? 'up to date' : `${commands.length} changes applied`;
  return `${crl}; broker: ${reload}; dynamic security: ${applied}${cut.length ? `; sessions cut: ${cut.join(', ')}` : ''}`;
}
