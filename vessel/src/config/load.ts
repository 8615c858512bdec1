/** Reading and validating the vessel config file, and reading the key passphrase it points to. */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { HelmlinkError } from '@helmlink/protocol';
import { readPassphraseFile } from '@helmlink/protocol/node';
import { resolveCatalog, vesselConfigSchema, type VesselConfig } from './schema';

/** JSON has no comments: keys starting with "//" are comments and are dropped (recursively) before validation. */
export function stripComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripComments);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !k.startsWith('//'))
      .map(([k, v]) => [k, stripComments(v)]),
  );
}

/**
 * Validates a config object (keys starting with "//" are comments). Relative paths (dataDir, passphrase file, hook command when it contains a slash) are
 * resolved against `baseDir`.
 * @throws HelmlinkError ERR_CONFIG_INVALID naming the first offending field, e.g. `broker.url: must be mqtts://`.
 */
export function parseVesselConfig(
  value: unknown,
  baseDir = process.cwd(),
  configPath?: string,
): VesselConfig {
  const result = vesselConfigSchema.safeParse(stripComments(value));
  if (!result.success) {
    const lines = result.error.issues.map(
      (i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
    );
    throw new HelmlinkError(
      'ERR_CONFIG_INVALID',
      `invalid vessel config${configPath ? ` ${configPath}` : ''}: ${lines.join('; ')}`,
      {
        details: { issues: lines },
      },
    );
  }
  const c = result.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const config: VesselConfig = {
    ...c,
    dataDir: abs(c.dataDir),
    catalog: resolveCatalog(c.catalog),
    key: {
      ...c.key,
      passphrase: c.key.passphrase.file ? { file: abs(c.key.passphrase.file) } : { ...c.key.passphrase },
    },
    ...(c.hook
      ? { hook: { ...c.hook, command: c.hook.command.includes('/') ? abs(c.hook.command) : c.hook.command } }
      : {}),
    ...(configPath ? { configPath } : {}),
  };
  if (config.broker.reconnect.maxDelayMs < config.broker.reconnect.initialDelayMs) {
    throw new HelmlinkError(
      'ERR_CONFIG_INVALID',
      'invalid vessel config: broker.reconnect.maxDelayMs: must be >= initialDelayMs',
    );
  }
  return config;
}

/**
 * Reads and validates a JSON config file.
 * @throws HelmlinkError ERR_CONFIG_INVALID (unreadable, not JSON, or invalid fields).
 */
export async function loadVesselConfig(path: string): Promise<VesselConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new HelmlinkError(
      'ERR_CONFIG_INVALID',
      `cannot read vessel config ${file}: ${(cause as Error).message}`,
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new HelmlinkError(
      'ERR_CONFIG_INVALID',
      `vessel config ${file} is not valid JSON: ${(cause as Error).message}`,
      { cause },
    );
  }
  return parseVesselConfig(json, dirname(file), file);
}

/**
 * Reads the key passphrase from the configured environment variable, file or systemd credential (a file's or a
 * credential's first line, without the line ending: `readPassphraseFile`).
 * @throws HelmlinkError ERR_PASSPHRASE_REQUIRED when it is unset, unreadable or empty.
 */
export async function readPassphrase(
  config: Pick<VesselConfig, 'key'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const source = config.key.passphrase;
  let value: string | undefined;
  if (source.env) {
    value = env[source.env];
    if (!value)
      throw new HelmlinkError(
        'ERR_PASSPHRASE_REQUIRED',
        `the key passphrase variable ${source.env} is not set or empty`,
      );
  } else if (source.credential && !env.CREDENTIALS_DIRECTORY) {
    throw new HelmlinkError(
      'ERR_PASSPHRASE_REQUIRED',
      `the key passphrase credential ${source.credential} needs $CREDENTIALS_DIRECTORY (run under systemd with LoadCredential=${source.credential}:FILE)`,
    );
  } else if (source.file || source.credential) {
    value = readPassphraseFile(source.file ?? join(env.CREDENTIALS_DIRECTORY!, source.credential!));
  }
  if (!value) throw new HelmlinkError('ERR_PASSPHRASE_REQUIRED');
  return value;
}
