/**
 * Logging for the console services: pino JSON with secret-bearing fields redacted by path, so a passphrase, a
 * token or a key can never reach a log even when an object is logged whole.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

/** Field names that are never logged (at any depth up to three levels). */
export const REDACTED_FIELDS = [
  'passphrase',
  'filePassphrase',
  'password',
  'token',
  'key',
  'keyPem',
  'privateKey',
  'pkcs8',
  'dataKey',
  'fileBase64',
  'secret',
  'authorization',
  'cookie',
];

const paths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/** Creates the services' logger. `destination` defaults to stderr; level from HELMLINK_LOG_LEVEL or `info`. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.HELMLINK_LOG_LEVEL ?? 'info',
      redact: { paths, censor: '[redacted]' },
      base: { app: 'helmlink-console' },
    },
    options.destination ?? pino.destination(2),
  );
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
