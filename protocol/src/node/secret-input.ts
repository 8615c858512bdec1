/**
 * Secrets on a command line, with one rule for every CLI: they come from a file, from stdin (`-`) or from the
 * environment, never from the process arguments, which every local user can read in `/proc/PID/cmdline` for as long
 * as the process runs. Passphrase files have their own reader (`passphrase.ts`: the first line exactly as typed);
 * this one is for tokens and similar single-word secrets: the first line with surrounding whitespace removed.
 */
import { readStream, readInput, UsageError, type CliIO } from './cli-kit';

export interface SecretInputOptions {
  /** The value of the file option: a path, or `-` for stdin; undefined when the option was not given. */
  file: string | undefined;
  /** The option's name for messages, e.g. `--token-file`. */
  option: string;
  /** The environment variable that may hold the secret instead, e.g. `HELMLINK_ENROLL_TOKEN`. */
  envName: string;
  /** What the secret is, for messages, e.g. `enrollment token`. */
  what: string;
}

/**
 * Reads a secret from the file the option names, from stdin for `-`, or from the environment variable. Exactly one
 * source must be given; an unreadable file, a missing or an empty secret is a usage error (exit 2).
 */
export async function readSecretInput(io: CliIO, o: SecretInputOptions): Promise<string> {
  const fromEnv = io.env[o.envName];
  if (o.file !== undefined && fromEnv)
    throw new UsageError(`give the ${o.what} either with ${o.option} or in ${o.envName}, not both`);
  let text: string;
  let source: string;
  if (o.file === '-') {
    text = await readStream(io.stdin);
    source = 'stdin';
  } else if (o.file !== undefined) {
    text = readInput(io, o.file, o.what).toString('utf8');
    source = o.file;
  } else if (fromEnv) {
    text = fromEnv;
    source = o.envName;
  } else {
    throw new UsageError(`missing the ${o.what}: ${o.option} FILE, ${o.option} - (stdin) or ${o.envName}`);
  }
  const secret = text.split(/\r?\n/u)[0]!.trim();
  if (secret.length === 0) throw new UsageError(`the ${o.what} from ${source} is empty`);
  return secret;
}

/**
 * Refuses a secret given as a process argument (an option kept only to say this): a usage error that names the
 * safe ways. The value is never echoed.
 */
export function refuseSecretArgument(given: unknown, option: string, o: SecretInputOptions): void {
  if (given === undefined) return;
  throw new UsageError(
    `${option} is not accepted: a ${o.what} in the process arguments is visible to every local user ` +
      `(/proc/PID/cmdline). Pass it with ${o.option} FILE, ${o.option} - (stdin) or ${o.envName}`,
  );
}
