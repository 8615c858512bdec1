/**
 * A small kit shared by every `helmlink` subcommand: argument parsing with `--help`, exit codes and error output.
 * Exit codes: 0 success, 1 a verdict against the input (invalid, rejected, refused), 2 usage or unreadable input.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HelmlinkError } from '../errors';
import { passphraseFromFile } from './passphrase';

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;

/** Raised for bad command-line usage or unreadable input; maps to exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const processIO = (): CliIO => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec<O extends OptionSpec> {
  /** Full command name as typed, e.g. `verify-chain` or `ca init`. */
  name: string;
  summary: string;
  /** Usage text printed by --help (options, exit codes, examples). */
  usage: string;
  options: O;
  allowPositionals?: boolean;
  run: (args: { values: ParsedValues<O>; positionals: string[]; io: CliIO }) => Promise<number>;
}

type ParsedValues<O extends OptionSpec> = {
  [K in keyof O]?: O[K] extends { type: 'boolean'; multiple: true }
    ? boolean[]
    : O[K] extends { type: 'boolean' }
      ? boolean
      : O[K] extends { multiple: true }
        ? string[]
        : string;
};

export interface Command {
  name: string;
  summary: string;
  main: (argv: string[], io?: CliIO) => Promise<number>;
}

/** Defines a subcommand with uniform --help, usage errors (exit 2) and coded-error output (exit 1). */
export function defineCommand<O extends OptionSpec>(spec: CommandSpec<O>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    async main(argv, io = processIO()) {
      if (argv.includes('--help') || argv.includes('-h')) {
        io.stdout.write(`helmlink ${spec.name}: ${spec.summary}\n\n${spec.usage.trim()}\n`);
        return EXIT_OK;
      }
      let parsed;
      try {
        parsed = parseArgs({
          args: argv,
          options: spec.options,
          allowPositionals: spec.allowPositionals ?? false,
          strict: true,
        });
      } catch (err) {
        io.stderr.write(
          `helmlink ${spec.name}: ${(err as Error).message}\nRun 'helmlink ${spec.name} --help' for usage.\n`,
        );
        return EXIT_USAGE;
      }
      try {
        return await spec.run({
          values: parsed.values as ParsedValues<O>,
          positionals: parsed.positionals,
          io,
        });
      } catch (err) {
        return reportError(spec.name, err, io);
      }
    },
  };
}

/** Prints an error the way every subcommand does and returns the matching exit code. */
export function reportError(name: string, err: unknown, io: CliIO): number {
  if (err instanceof UsageError) {
    io.stderr.write(`helmlink ${name}: ${err.message}\nRun 'helmlink ${name} --help' for usage.\n`);
    return EXIT_USAGE;
  }
  if (err instanceof HelmlinkError) {
    io.stderr.write(`helmlink ${name}: ${err.code}: ${err.message}\n`);
    return EXIT_REJECTED;
  }
  // An unexpected failure: one clear line, the stack only when asked for.
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`helmlink ${name}: unexpected error: ${message}\n`);
  if (io.env.HELMLINK_DEBUG) io.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return EXIT_USAGE;
}

/** Returns the option value or throws a UsageError naming the missing option. */
export function required<T>(value: T | undefined, option: string): T {
  if (value === undefined || (typeof value === 'string' && value === ''))
    throw new UsageError(`missing required option ${option}`);
  return value;
}

/** Reads a whole stream (stdin) as UTF-8. */
export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a file relative to the working directory; UsageError (exit 2) when it cannot be read. */
export function readInput(io: CliIO, path: string, what: string): Buffer {
  try {
    return readFileSync(resolve(io.cwd, path));
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/**
 * The passphrase in the file a `--passphrase-file` option names (its first line: see passphrase.ts). An unreadable
 * file is a usage error (exit 2); an empty passphrase is ERR_PASSPHRASE_REQUIRED (exit 1).
 */
export function readPassphraseOption(io: CliIO, path: string): string {
  return passphraseFromFile(readInput(io, path, 'passphrase file').toString('utf8'), path);
}

/** PEM text when the data holds a BEGIN line, DER bytes otherwise. */
export function pemOrDer(data: Buffer): string | Uint8Array {
  const text = data.toString('latin1');
  return text.includes('-----BEGIN ') ? text : new Uint8Array(data);
}
