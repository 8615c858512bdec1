/**
 * The dispatcher of a one-file executable (`helmlink-vessel`, `helmlink-ca`): the same command objects as
 * `helmlink vessel …` / `helmlink ca …`, statically imported so that esbuild bundles only what the tool needs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { EXIT_OK, EXIT_USAGE, type Command } from '@helmlink/protocol/node';

/** Baked in by the package build (esbuild `define`); the workspace version when run from sources. */
declare const HELMLINK_PACKAGE_VERSION: string | undefined;

/** What a packaged tool is: its name, the service it runs as and the commands it offers. */
export interface ToolSpec {
  /** Executable name, e.g. `helmlink-vessel`. */
  name: string;
  /** The `helmlink` command group the tool mirrors, e.g. `vessel` (for the help text). */
  group: string;
  /** The system user and group the service runs as. */
  serviceUser: string;
  /** systemd credentials the service loads: name → source file (LoadCredential=NAME:SOURCE). */
  credentials: Record<string, string>;
  /** Subcommands keyed by their words after the tool name (`status`, `broker sync`). */
  commands: Record<string, Command>;
}

/** The version printed by `--version`: the Debian package version when built by packaging/, else `dev`. */
export function toolVersion(): string {
  return typeof HELMLINK_PACKAGE_VERSION === 'string' ? HELMLINK_PACKAGE_VERSION : 'dev';
}

function help(spec: ToolSpec): string {
  const names = Object.keys(spec.commands).sort();
  const width = Math.max(...names.map((n) => n.length), 10);
  return [
    `Usage: ${spec.name} <command> [options]`,
    '',
    `The packaged form of 'helmlink ${spec.group} <command>' (one file, no Node installation needed).`,
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${spec.commands[n]!.summary}`),
    '',
    `Run '${spec.name} <command> --help' for the options of a command; '${spec.name} --version' for the version.`,
    `Started by root on a systemd host, a command runs as the service user ${spec.serviceUser} with the service's`,
    `credentials (through systemd-run), so files in the state directory keep their owner. HELMLINK_AS_ROOT=1 opts out.`,
    '',
  ].join('\n');
}

/** The systemd-run command line that runs `argv` as the service user with the service's credentials. */
export function serviceUserCommand(spec: ToolSpec, execPath: string, argv: string[], cwd: string): string[] {
  return [
    'systemd-run',
    '--quiet',
    '--pipe',
    '--wait',
    '--collect',
    '--service-type=exec',
    `--working-directory=${cwd}`,
    `--property=User=${spec.serviceUser}`,
    `--property=Group=${spec.serviceUser}`,
    '--property=UMask=0077',
    ...Object.entries(spec.credentials).map(
      ([name, source]) => `--property=LoadCredential=${name}:${source}`,
    ),
    execPath,
    ...argv,
  ];
}

/** Whether a root invocation should be handed to the service user (systemd present, not opted out). */
function delegateToServiceUser(env: NodeJS.ProcessEnv): boolean {
  if (process.getuid?.() !== 0 || env.HELMLINK_AS_ROOT === '1' || env.CREDENTIALS_DIRECTORY) return false;
  return existsSync('/run/systemd/system');
}

/** Runs the tool with `argv` (process.argv without node and script); returns the exit code. */
export async function runTool(
  spec: ToolSpec,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(help(spec));
    return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  if (argv[0] === '--version' || argv[0] === 'version') {
    process.stdout.write(`${spec.name} ${toolVersion()} (node ${process.version})\n`);
    return EXIT_OK;
  }
  for (const count of [2, 1]) {
    const words = argv.slice(0, count).join(' ');
    const command = spec.commands[words];
    if (!command) continue;
    const rest = argv.slice(count);
    if (!rest.includes('--help') && !rest.includes('-h') && delegateToServiceUser(env)) {
      const [file, ...args] = serviceUserCommand(spec, process.execPath, argv, process.cwd());
      const r = spawnSync(file!, args, { stdio: 'inherit' });
      if (r.error) {
        process.stderr.write(`${spec.name}: cannot run systemd-run: ${r.error.message}\n`);
        return EXIT_USAGE;
      }
      return r.status ?? EXIT_USAGE;
    }
    return command.main(rest);
  }
  process.stderr.write(`${spec.name}: unknown command '${argv[0]}'\n\n${help(spec)}`);
  return EXIT_USAGE;
}
