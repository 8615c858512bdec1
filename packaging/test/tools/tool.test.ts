/** The one-file executables' dispatcher, run as users run it (a spawned process from the sources). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceUserCommand } from '../../src/tools/tool';
import { VESSEL_TOOL } from '../../src/tools/vessel';
import { CA_TOOL } from '../../src/tools/ca';
import { PACKAGING_DIR, REPO_ROOT } from '../../src/build/paths';

function tool(entry: 'vessel' | 'ca', args: string[]) {
  const r = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(PACKAGING_DIR, 'src', 'entries', `${entry}.ts`),
      ...args,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, HELMLINK_AS_ROOT: '1' },
      timeout: 60_000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('helmlink-vessel / helmlink-ca dispatcher', () => {
  it('--help lists the commands (exit 0), no arguments is a usage error (exit 2), unknown commands too', () => {
    const help = tool('vessel', ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: helmlink-vessel <command>/u);
    for (const c of ['enroll', 'run', 'status']) expect(help.stdout).toContain(`  ${c}`);
    expect(tool('vessel', []).status).toBe(2);
    const unknown = tool('ca', ['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("helmlink-ca: unknown command 'frobnicate'");
  });

  it('dispatches one- and two-word commands to the same command objects as helmlink vessel/ca', () => {
    expect(tool('ca', ['broker', 'sync', '--help']).stdout).toContain('helmlink ca broker sync:');
    expect(tool('ca', ['broker', '--help']).stdout).toContain('helmlink ca broker:');
    const status = tool('vessel', ['status']);
    expect(status.status).toBe(2);
    expect(status.stderr).toContain('missing required option --config');
    expect(tool('ca', ['--version']).stdout).toMatch(/^helmlink-ca dev \(node v\d+/u);
  });

  it('hands a root invocation to systemd-run with the service user and its credential', () => {
    const argv = serviceUserCommand(
      VESSEL_TOOL,
      '/usr/lib/helmlink-vessel/helmlink-vessel',
      ['status', '--config', 'v.json'],
      '/root',
    );
    expect(argv.slice(0, 5)).toEqual(['systemd-run', '--quiet', '--pipe', '--wait', '--collect']);
    expect(argv).toContain('--property=User=helmlink-vessel');
    expect(argv).toContain(
      '--property=LoadCredential=key-passphrase:/etc/helmlink/credentials/vessel-key-passphrase',
    );
    expect(argv).toContain('--working-directory=/root');
    expect(argv.slice(-4)).toEqual([
      '/usr/lib/helmlink-vessel/helmlink-vessel',
      'status',
      '--config',
      'v.json',
    ]);
    expect(serviceUserCommand(CA_TOOL, '/x', [], '/')).toContain(
      '--property=LoadCredential=ca-passphrase:/etc/helmlink/credentials/ca-passphrase',
    );
  });
});
