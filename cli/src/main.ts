/**
 * Dispatcher for `helmlink <command>`. Each command lives with the package that owns it and is loaded lazily,
 * so `helmlink verify-chain` does not pay for the CA server or the console.
 */
import 'reflect-metadata';
import { COMMANDS } from './commands';

// Registrations are kept in one module per package so that adding a command never touches this file.
import './registry';

function help(): string {
  const names = Object.keys(COMMANDS).sort();
  const width = Math.max(...names.map((n) => n.length), 10);
  return [
    'Usage: helmlink <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`),
    '',
    "Run 'helmlink <command> --help' for the options of a command.",
    '',
  ].join('\n');
}

/** Runs the command named by the leading words of argv; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(help());
    return argv.length === 0 ? 2 : 0;
  }
  for (const words of [3, 2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const entry = COMMANDS[name];
    if (entry) {
      const command = await entry.load();
      return command.main(argv.slice(words));
    }
  }
  process.stderr.write(`helmlink: unknown command '${argv[0]}'\n\n${help()}`);
  return 2;
}
