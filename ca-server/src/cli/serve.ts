/** `helmlink ca serve`: the CA over HTTPS until SIGINT/SIGTERM, whatever happens to its broker. */
import {
  defineCommand,
  EXIT_OK,
  EXIT_REJECTED,
  notifySystemd,
  required,
  UsageError,
} from '@helmlink/protocol/node';
import { readBrokerConf } from '../broker/broker-conf';
import { brokerPaths } from '../broker/material';
import { ManagedMosquitto } from '../broker/mosquitto';
import { startCaServer } from '../http/server';
import { abs, PASSPHRASE_HELP, readPassphrase } from './common';
import { ALERT_WEBHOOK_HELP, checkMqttUrlArgument, readAlertWebhook } from './serve-secrets';

export const caServeCommand = defineCommand({
  name: 'ca serve',
  summary: 'Serve the CA over HTTPS (enroll, renew, admin, CRL)',
  usage: `
Usage: helmlink ca serve --dir DIR [--port 8443] [--listen 127.0.0.1] [--alert-webhook-file FILE]
                         [--mqtt-url mqtts://HOST:PORT] [--broker-out DIR [--manage-broker]] [--crl-validity SECONDS]
                         [--passphrase-file FILE]

HTTPS only (TLS >= 1.2) with the CA service certificate; mutual TLS for renew and admin routes. Logs JSON lines.
Under systemd (Type=notify) it reports readiness once it listens. It runs until SIGINT or SIGTERM: a broker that
is down, restarted or refusing the CA is retried with backoff and alerted, never a reason to exit.
  --alert-webhook-file FILE
                   POST alerts as JSON ({"text": ...}: Slack and Teams incoming webhooks) to the URL in FILE,
                   retried in the background (the URL is never an argument: see below)
  --mqtt-url       mqtts://HOST:PORT (a user or password is refused: the CA uses its certificate), the broker the
                   CA connects to as its service identity: each CRL is published retained on helmlink/v1/pki/crl
                   (retried until acknowledged; /health shows the number the broker holds).
                   Default with --broker-out: the listener of OUTDIR/mosquitto.conf
  --broker-out     broker material directory (from 'helmlink ca broker'): after each change the CRL is rewritten
                   and reloaded (SIGHUP to a managed broker, or to the daemon named by OUTDIR/mosquitto.pid;
                   otherwise the helmlink-broker-reload.path unit), and the dynamic-security plugin is updated over
                   MQTT: a new enrollment gets its permissions at once, a revoked client's sessions are cut at
                   once. The broker is never restarted.
  --manage-broker  also run Mosquitto with that material, restarted with backoff if it dies; one left running by
                   an earlier run (e.g. after kill -9) is taken over through OUTDIR/mosquitto.pid

${ALERT_WEBHOOK_HELP}
${PASSPHRASE_HELP}
Exit codes: 0 after a clean shutdown, 1 refused (e.g. ERR_CA_NOT_INITIALIZED), 2 usage.
`,
  options: {
    dir: { type: 'string' },
    port: { type: 'string' },
    listen: { type: 'string' },
    'alert-webhook': { type: 'string' },
    'alert-webhook-file': { type: 'string' },
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
    const mqttUrl = checkMqttUrlArgument(values['mqtt-url']);
    const alertWebhook = await readAlertWebhook(io, values);
    const passphrase = readPassphrase(io, values['passphrase-file']);
    let broker: ManagedMosquitto | undefined;
    const brokerOut = values['broker-out'] ? abs(io, values['broker-out']) : undefined;
    if (brokerOut) {
      let conf: ReturnType<typeof readBrokerConf>;
      try {
        conf = readBrokerConf(brokerPaths(brokerOut).conf);
      } catch (err) {
        throw new UsageError(`--broker-out: ${(err as Error).message} (run helmlink ca broker first)`);
      }
      if (!conf.dynsecFile)
        throw new UsageError(
          `${conf.conf} predates the dynamic-security plugin: run helmlink ca broker again to regenerate it`,
        );
      if (values['manage-broker'])
        broker = new ManagedMosquitto({
          conf: conf.conf,
          port: conf.port,
          host: conf.listen && conf.listen !== '0.0.0.0' ? conf.listen : '127.0.0.1',
          onLog: (l) => io.stderr.write(`mosquitto: ${l}\n`),
          onEvent: (e) => io.stderr.write(`managed broker: ${JSON.stringify(e)}\n`),
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
      ...(alertWebhook ? { alertWebhook: { url: alertWebhook } } : {}),
      ...(mqttUrl ? { mqttUrl } : {}),
      ...(crlValiditySeconds ? { crlValiditySeconds } : {}),
      ...(brokerOut ? { brokerSync: { outDir: brokerOut, ...(broker ? { broker } : {}) } } : {}),
    });
    io.stderr.write(
      `helmlink CA listening on ${server.url}\nroot fingerprint (SHA-256): ${server.rootFingerprint}\n`,
    );
    await notifySystemd('ready', `listening on ${server.url}`, { env: io.env, stderr: io.stderr });
    await stopped;
    if (fatal) {
      io.stderr.write(`helmlink ca serve: ${fatal.message}\n`);
      await server.close();
      return EXIT_REJECTED;
    }
    io.stderr.write('shutting down\n');
    await notifySystemd('stopping', 'shutting down', { env: io.env, stderr: io.stderr });
    await server.close();
    return EXIT_OK;
  },
});
