/**
 * The secrets `ca serve` may be given besides its passphrase, kept out of its process arguments (every local user
 * reads those in /proc/PID/cmdline): the alert webhook URL (Slack and Teams webhook URLs carry their secret in the
 * path, so no URL on the command line is safe) and the broker URL (the CA authenticates with its service
 * certificate: a user or password there is refused). Messages never repeat the value.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  readSecretInput,
  refuseSecretArgument,
  UsageError,
  type CliIO,
  type SecretInputOptions,
} from '@helmlink/protocol/node';

/** The systemd credential (LoadCredential=) that may hold the alert webhook URL under a service. */
export const ALERT_WEBHOOK_CREDENTIAL = 'alert-webhook';

const WEBHOOK_INPUT = {
  option: '--alert-webhook-file',
  envName: 'HELMLINK_ALERT_WEBHOOK',
  what: 'webhook URL for alerts',
} as const;

export const ALERT_WEBHOOK_HELP = `The alert webhook URL (its path or query is often its secret) comes from --alert-webhook-file FILE (first
line; - for stdin), HELMLINK_ALERT_WEBHOOK, or the systemd credential alert-webhook
($CREDENTIALS_DIRECTORY/alert-webhook, LoadCredential=); --alert-webhook URL is refused. Without one, alerts are
only stored.`;

/**
 * The alert webhook URL from `--alert-webhook-file`, `HELMLINK_ALERT_WEBHOOK` or the systemd credential
 * `alert-webhook`; undefined when none is given. `--alert-webhook URL` (argv) is refused.
 * @throws UsageError for the argv form, two sources, an unreadable or empty file, or a value that is no http(s) URL.
 */
export async function readAlertWebhook(
  io: CliIO,
  values: { 'alert-webhook'?: string | undefined; 'alert-webhook-file'?: string | undefined },
): Promise<string | undefined> {
  let file = values['alert-webhook-file'];
  const input: SecretInputOptions = { ...WEBHOOK_INPUT, file };
  refuseSecretArgument(values['alert-webhook'], '--alert-webhook', input);
  if (file === undefined && io.env[WEBHOOK_INPUT.envName] === undefined && io.env.CREDENTIALS_DIRECTORY) {
    const credential = join(io.env.CREDENTIALS_DIRECTORY, ALERT_WEBHOOK_CREDENTIAL);
    if (existsSync(credential)) file = credential;
  }
  if (file === undefined && io.env[WEBHOOK_INPUT.envName] === undefined) return undefined;
  const url = await readSecretInput(io, { ...input, file });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      'the webhook URL for alerts is not a URL (its value is not shown: it may hold a secret)',
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new UsageError('the webhook URL for alerts must be https:// (or http://)');
  return url;
}

/**
 * Checks `--mqtt-url`: mqtts://HOST:PORT only. A user or password is refused (certificates authenticate the CA,
 * and process arguments are visible to every local user), as is anything else that could carry a secret.
 * @throws UsageError naming the rule, never the value.
 */
export function checkMqttUrlArgument(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new UsageError('--mqtt-url is not a URL: give mqtts://HOST:PORT');
  }
  if (parsed.username !== '' || parsed.password !== '')
    throw new UsageError(
      '--mqtt-url must not carry a user or password: the CA authenticates to its broker with its service certificate, and process arguments are visible to every local user (/proc/PID/cmdline)',
    );
  if (parsed.protocol !== 'mqtts:' || !parsed.hostname)
    throw new UsageError('--mqtt-url must be mqtts://HOST:PORT (mutual TLS with the CA service certificate)');
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '' || parsed.hash !== '')
    throw new UsageError('--mqtt-url must be mqtts://HOST:PORT: no path, query or fragment');
  return value;
}
