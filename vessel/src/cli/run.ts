/** `helmlink vessel run --config FILE [--simulate] [--redis URL]` */
import { defineCommand, required, EXIT_OK, notifySystemd, UsageError } from '@helmlink/protocol/node';
import { loadConfigForCli } from './config';
import { startVessel } from '../listener/vessel';

/** True when a URL carries a user name or password (its userinfo): a secret once it is in the arguments. */
function hasCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return /^[^/]*\/\/[^/]*@/u.test(url);
  }
}

export const vesselRunCommand = defineCommand({
  name: 'vessel run',
  summary:
    'Run the vessel listener: verify signed commands from the broker, apply, persist, ack, publish state',
  usage: `
Usage: helmlink vessel run --config FILE [--simulate] [--redis URL]

  --config FILE   vessel config (JSON; see docs/vessel.md)
  --simulate      publish synthetic samples on data/{streamId} for every stream that is ON
  --redis URL     also hand applied state to Redis (hash {prefix}{vessel}:state, stream {prefix}{vessel}:commands).
                  A URL with a user or password is refused here (process arguments are visible to every local
                  user): put it in the config file's redis.url instead.

Connects to broker.url over mutual TLS (MQTT 5, falling back to 3.1.1), persistent session, and handles every command
on helmlink/v1/vessels/{vesselId}/cmd. Logs are pino JSON lines on stdout, one per command (jti, signer, verdict,
reason, latencyMs). SIGTERM or SIGINT finishes the command in hand and exits 0. Under systemd (Type=notify) it
reports readiness once the listener has started.

It keeps running whatever happens to its links (broker down or restarted, connection reset, a silent link noticed
by the MQTT keepalive, CA unreachable): it reconnects with capped exponential backoff and jitter (broker.reconnect).
One listener per data folder: a second one is refused (ERR_VESSEL_LOCKED).

Exit codes: 0 stopped cleanly, 1 cannot start (reason code printed, e.g. ERR_NOT_ENROLLED, ERR_KEY_DECRYPT,
ERR_VESSEL_LOCKED), 2 usage, unreadable or invalid config (ERR_CONFIG_INVALID names the field).
`,
  options: { config: { type: 'string' }, simulate: { type: 'boolean' }, redis: { type: 'string' } },
  async run({ values, io }) {
    if (values.redis !== undefined && hasCredentials(values.redis))
      throw new UsageError(
        '--redis must not carry a user or password: process arguments are visible to every local user ' +
          '(/proc/PID/cmdline). Put the URL in the config file (redis.url) instead',
      );
    const config = await loadConfigForCli(required(values.config, '--config'));
    const vessel = await startVessel(config, {
      simulate: values.simulate ?? false,
      env: io.env,
      ...(values.redis ? { redisUrl: values.redis } : {}),
    });
    await notifySystemd('ready', `vessel ${config.vesselId} listening`, { env: io.env, stderr: io.stderr });
    // Runs until a signal, whatever happens to its connections: the MQTT session holds the process while it
    // waits to reconnect, and the data folder's lock while the listener runs.
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        void notifySystemd('stopping', 'finishing the command in hand', { env: io.env, stderr: io.stderr });
        vessel.close().then(resolve, resolve);
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    return EXIT_OK;
  },
});
