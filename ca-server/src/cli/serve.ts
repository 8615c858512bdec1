/** `helmlink ca serve`: the CA over HTTPS until SIGINT/SIGTERM. */
import {
  defineCommand,
  EXIT_OK,
  EXIT_REJECTED,
  notifySystemd,
  required,
  UsageError,
} from '@helmlink/protocol/node';
import { writeCrlAndAcl, brokerPaths } from '../broker/material';
import { ManagedMosquitto } from '../broker/mosquitto';
import { startCaServer } from '../http/server';
import { abs, PASSPHRASE_HELP, readPassphrase } from './common';
import { readFileSync } from 'node:fs';

export const caServeCommand = defineCommand({
  name: 'ca serve',
  summary: 'Serve the CA over HTTPS (enroll, renew, admin, CRL)',
  usage: `
Usage: helmlink ca serve --dir DIR [--port 8443] [--listen 127.0.0.1] [--alert-webhook URL] [--mqtt-url mqtts://HOST:PORT]
                         [--broker-out DIR [--manage-broker]] [--crl-validity SECONDS] [--passphrase-file FILE]

HTTPS only (TLS >= 1.2) with the CA service certificate; mutual TLS for renew and admin routes. Logs JSON lines.
Under systemd (Type=notify) it reports readiness once it listens.
  --alert-webhook  POST alerts as JSON ({"text": ...}: Slack and Teams incoming webhooks), retried in the background
  --mqtt-url       publish each CRL retained on helmlink/v1/pki/crl as the CA service identity
  --broker-out     broker material directory (from 'helmlink ca broker'): CRL and ACL rewritten after each change
  --manage-broker  also run Mosquitto with that material and restart it after each change (cuts revoked sessions)

${PASSPHRASE_HELP}
Exit codes: 0 after a clean shutdown, 1 refused (e.g. ERR_CA_NOT_INITIALIZED), 2 usage.
`,
  options: {
    dir: { type: 'string' },
    port: { type: 'string' },
    listen: { type: 'string' },
    'alert-webhook': { type: 'string' },
    'mqtt-url': { type: 'string' },
    'broker-out': { type: 'string' },
    'manage-broker': { type: 'boolean' },
    'crl-validity': { type: 'string' },
    'passphrase-file': { type: 'string' },
  },
  async run({ values, io }) {
    const dir = abs(io, required(values.dir, '--dir'));
    const port = Number(values.port ?? 8443);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
    const crlValiditySeconds = values['crl-validity'] ? Number(values['crl-validity']) : undefined;
    if (
      crlValiditySeconds !== undefined &&
      (!Number.isInteger(crlValiditySeconds) || crlValiditySeconds < 300)
    )
      throw new UsageError('--crl-validity must be >= 300 seconds');
    if (values['manage-broker'] && !values['broker-out'])
      throw new UsageError('--manage-broker needs --broker-out');
    const passphrase = readPassphrase(io, values['passphrase-file']);
    let broker: ManagedMosquitto | undefined;
    const brokerOut = values['broker-out'] ? abs(io, values['broker-out']) : undefined;
    if (brokerOut && values['manage-broker']) {
      const conf = readFileSync(brokerPaths(brokerOut).conf, 'utf8');
      const listener = /^listener (\d+)(?: (\S+))?$/mu.exec(conf);
      if (!listener) throw new UsageError(`no listener in ${brokerPaths(brokerOut).conf}`);
      broker = new ManagedMosquitto({
        conf: brokerPaths(brokerOut).conf,
        port: Number(listener[1]),
        host: listener[2] ?? '127.0.0.1',
        onLog: (l) => io.stderr.write(`mosquitto: ${l}\n`),
      });
    }
    let fatal: Error | undefined;
    let wake = (): void => undefined;
    const stopped = new Promise<void>((resolve) => {
      wake = resolve;
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const server = await startCaServer({
      // It never serves with a revoked certificate: when no valid service identity can be loaded, it stops.
      onFatal: (err) => {
        fatal = err;
        wake();
      },
      dir,
      passphrase,
      port,
      host: values.listen ?? '127.0.0.1',
      logger: { level: 'info', redact: ['req.headers.authorization'] },
      ...(values['alert-webhook'] ? { alertWebhook: { url: values['alert-webhook'] } } : {}),
      ...(values['mqtt-url'] ? { mqttUrl: values['mqtt-url'] } : {}),
      ...(crlValiditySeconds ? { crlValiditySeconds } : {}),
      ...(brokerOut ? { brokerSync: { outDir: brokerOut, ...(broker ? { broker } : {}) } } : {}),
    });
    if (brokerOut) await writeCrlAndAcl(server.authority, brokerOut);
    await broker?.start();
    io.stderr.write(
      `helmlink CA listening on ${server.url}\nroot fingerprint (SHA-256): ${server.rootFingerprint}\n`,
    );
    await notifySystemd('ready', `listening on ${server.url}`, { env: io.env, stderr: io.stderr });
    await stopped;
    if (fatal) {
      io.stderr.write(`helmlink ca serve: ${fatal.message}\n`);
      await server.close();
      await broker?.stop();
      return EXIT_REJECTED;
    }
    io.stderr.write('shutting down\n');
    await notifySystemd('stopping', 'shutting down', { env: io.env, stderr: io.stderr });
    await server.close();
    await broker?.stop();
    return EXIT_OK;
  },
});
