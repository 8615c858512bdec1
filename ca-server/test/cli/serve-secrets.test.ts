/**
 * `ca serve` keeps its secrets out of the process arguments: the alert webhook URL comes from a file, stdin, the
 * environment or a systemd credential (the argv form is refused), and a broker URL with a user or password is
 * refused. No message repeats the secret.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError, type CliIO } from '@helmlink/protocol/node';
import { caServeCommand } from '../../src/cli';
import { checkMqttUrlArgument, readAlertWebhook } from '../../src/cli/serve-secrets';
import { runCommand } from '../helpers';

const work = mkdtempSync(join(tmpdir(), 'helmlink-serve-secrets-'));
const SECRET = 'T0A1B2C3/B4D5E6F7/s3cr3t-w3bh00k-t0k3n';
const HOOK = `https://hooks.example.test/services/${SECRET}`;

function io(env: Record<string, string> = {}, stdinText?: string): CliIO {
  const stdin = new PassThrough();
  if (stdinText !== undefined) stdin.end(stdinText);
  return { stdout: new PassThrough(), stderr: new PassThrough(), stdin, env, cwd: work };
}

const file = (name: string, text: string): string => {
  const path = join(work, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

/** The UsageError message `fn` rejects with. */
const refusal = async (fn: () => unknown): Promise<string> => {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('ca serve: the alert webhook URL', () => {
  it('refuses --alert-webhook URL on the command line (exit 2) without repeating it', async () => {
    const r = await runCommand(caServeCommand, ['--dir', 'ca', '--alert-webhook', HOOK], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'helmlink ca serve: --alert-webhook is not accepted: a webhook URL for alerts in the process arguments is visible to every local user (/proc/PID/cmdline). Pass it with --alert-webhook-file FILE, --alert-webhook-file - (stdin) or HELMLINK_ALERT_WEBHOOK',
    );
    expect(r.err).not.toContain(SECRET);
    expect(r.err).not.toContain('hooks.example.test');
  });

  it('is read from --alert-webhook-file (first line, trimmed), stdin, HELMLINK_ALERT_WEBHOOK or the systemd credential', async () => {
    const path = file('hook', `${HOOK}\n# ignored\n`);
    expect(await readAlertWebhook(io(), { 'alert-webhook-file': path })).toBe(HOOK);
    expect(await readAlertWebhook(io({}, `  ${HOOK}  \n`), { 'alert-webhook-file': '-' })).toBe(HOOK);
    expect(await readAlertWebhook(io({ HELMLINK_ALERT_WEBHOOK: HOOK }), {})).toBe(HOOK);
    const credentials = join(work, 'credentials');
    mkdirSync(credentials, { recursive: true });
    writeFileSync(join(credentials, 'alert-webhook'), `${HOOK}\n`);
    expect(await readAlertWebhook(io({ CREDENTIALS_DIRECTORY: credentials }), {})).toBe(HOOK);
    // The environment and an explicit file come before the credential.
    const other = 'https://hooks.example.test/other';
    expect(
      await readAlertWebhook(io({ CREDENTIALS_DIRECTORY: credentials, HELMLINK_ALERT_WEBHOOK: other }), {}),
    ).toBe(other);
    // None given: alerts are only stored.
    expect(await readAlertWebhook(io(), {})).toBeUndefined();
    expect(
      await readAlertWebhook(io({ CREDENTIALS_DIRECTORY: join(work, 'no-credentials') }), {}),
    ).toBeUndefined();
  });

  it('refuses two sources, an empty or unreadable file, and a value that is no http(s) URL, never showing it', async () => {
    expect(
      await refusal(() =>
        readAlertWebhook(io({ HELMLINK_ALERT_WEBHOOK: HOOK }), { 'alert-webhook-file': file('h2', HOOK) }),
      ),
    ).toBe(
      'give the webhook URL for alerts either with --alert-webhook-file or in HELMLINK_ALERT_WEBHOOK, not both',
    );
    const empty = file('empty', '\n');
    expect(await refusal(() => readAlertWebhook(io(), { 'alert-webhook-file': empty }))).toBe(
      `the webhook URL for alerts from ${empty} is empty`,
    );
    expect(
      await refusal(() => readAlertWebhook(io(), { 'alert-webhook-file': join(work, 'missing') })),
    ).toMatch(/^cannot read webhook URL for alerts/u);
    const notUrl = await refusal(() => readAlertWebhook(io({ HELMLINK_ALERT_WEBHOOK: SECRET }), {}));
    expect(notUrl).toBe(
      'the webhook URL for alerts is not a URL (its value is not shown: it may hold a secret)',
    );
    const ftp = await refusal(() =>
      readAlertWebhook(io({ HELMLINK_ALERT_WEBHOOK: `ftp://x/${SECRET}` }), {}),
    );
    expect(ftp).toBe('the webhook URL for alerts must be https:// (or http://)');
  });

  it('documents the safe ways in --help', async () => {
    const r = await runCommand(caServeCommand, ['--help'], { cwd: work });
    expect(r.code).toBe(0);
    expect(r.out).toContain('--alert-webhook-file FILE');
    expect(r.out).toContain('HELMLINK_ALERT_WEBHOOK');
    expect(r.out).toContain('--alert-webhook URL is refused');
    expect(r.out).toContain('a user or password is refused');
  });
});

describe('ca serve: --mqtt-url', () => {
  it('refuses a user or password (exit 2) without repeating them', async () => {
    const r = await runCommand(
      caServeCommand,
      ['--dir', 'ca', '--mqtt-url', 'mqtts://helmlink-ca:s3cr3t-pw@broker.example.test:8883'],
      { cwd: work },
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'helmlink ca serve: --mqtt-url must not carry a user or password: the CA authenticates to its broker with its service certificate, and process arguments are visible to every local user (/proc/PID/cmdline)',
    );
    expect(r.err).not.toContain('s3cr3t-pw');
    expect(r.err).not.toContain('broker.example.test');
    expect(await refusal(() => checkMqttUrlArgument('mqtts://:only-a-password@broker:8883'))).toMatch(
      /^--mqtt-url must not carry a user or password/u,
    );
    expect(await refusal(() => checkMqttUrlArgument('mqtts://only-a-user@broker:8883'))).toMatch(
      /^--mqtt-url must not carry a user or password/u,
    );
  });

  it('takes mqtts://HOST:PORT only', async () => {
    expect(checkMqttUrlArgument('mqtts://127.0.0.1:8883')).toBe('mqtts://127.0.0.1:8883');
    expect(checkMqttUrlArgument('mqtts://broker.example.test:8883/')).toBe(
      'mqtts://broker.example.test:8883/',
    );
    expect(checkMqttUrlArgument(undefined)).toBeUndefined();
    expect(await refusal(() => checkMqttUrlArgument('mqtt://broker:1883'))).toBe(
      '--mqtt-url must be mqtts://HOST:PORT (mutual TLS with the CA service certificate)',
    );
    expect(await refusal(() => checkMqttUrlArgument('mqtts://broker:8883/x?token=s3cr3t'))).toBe(
      '--mqtt-url must be mqtts://HOST:PORT: no path, query or fragment',
    );
    expect(await refusal(() => checkMqttUrlArgument('s3cr3t'))).toBe(
      '--mqtt-url is not a URL: give mqtts://HOST:PORT',
    );
  });
});
