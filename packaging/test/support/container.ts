/**
 * A throwaway Debian machine: the cached root booted with systemd as PID 1 under systemd-nspawn
 * (--volatile=overlay: all writes go to a tmpfs layer and vanish with the container). Commands run inside with
 * nsenter into the container's namespaces, so dpkg, systemctl and the installed executables behave as on a host.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ExecResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** A booted container; `exec` runs a command inside, `stop` powers it off. */
export interface Container {
  /** PID (on the host) of the container's systemd. */
  initPid: number;
  /** The container's root as seen from the host (/proc/PID/root). */
  rootOnHost: string;
  exec(argv: string[], options?: { input?: string; timeoutMs?: number }): ExecResult;
  /** `sh -c script` inside; throws with the output when it fails. */
  sh(script: string, options?: { input?: string; timeoutMs?: number }): string;
  /** Process table inside (user and command of every process). */
  processes(): { user: string; command: string }[];
  stop(): Promise<void>;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/u)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The container's PID 1: systemd-nspawn → its inner child → systemd. */
function findInit(nspawn: number): number | undefined {
  const queue = childrenOf(nspawn);
  while (queue.length) {
    const pid = queue.shift()!;
    if (commOf(pid) === 'systemd') return pid;
    queue.push(...childrenOf(pid));
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Boots `root` (read-only lower layer) with `binds` (host → container, read-only); resolves once systemd is up. */
export async function bootContainer(
  root: string,
  binds: Record<string, string> = {},
  bootTimeoutMs = 90_000,
): Promise<Container> {
  const machine = `helmlink-test-${process.pid}-${Date.now() % 100_000}`;
  // --private-network: only its own loopback, so the services inside never meet the host's ports (a demo's CA on
  // 8443, a broker on 8883) and nothing inside reaches out.
  const args = [
    '-q',
    '-D',
    root,
    '--boot',
    '--register=no',
    '--keep-unit',
    '--volatile=overlay',
    '--private-network',
    `--machine=${machine}`,
  ];
  for (const [host, inside] of Object.entries(binds)) args.push(`--bind-ro=${host}:${inside}`);
  const child: ChildProcess = spawn('systemd-nspawn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let console = '';
  child.stdout!.on('data', (d: Buffer) => (console += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (console += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + bootTimeoutMs;
  let initPid: number | undefined;
  while (!initPid && Date.now() < deadline && child.exitCode === null) {
    await sleep(200);
    initPid = findInit(child.pid!);
  }
  if (!initPid) {
    child.kill('SIGKILL');
    throw new Error(`systemd-nspawn did not boot ${root}:\n${console}`);
  }
  const pid = initPid;
  const exec: Container['exec'] = (argv, options = {}) => {
    const r = spawnSync(
      'nsenter',
      [
        '-t',
        String(pid),
        '-m',
        '-u',
        '-i',
        '-n',
        '-p',
        '-r',
        '-w',
        '--',
        'env',
        '-i',
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'LANG=C.UTF-8',
        ...argv,
      ],
      {
        encoding: 'utf8',
        input: options.input ?? '',
        timeout: options.timeoutMs ?? 120_000,
      },
    );
    return {
      status: r.status ?? -1,
      stdout: r.stdout ?? '',
      stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}`,
    };
  };
  const container: Container = {
    initPid: pid,
    rootOnHost: `/proc/${pid}/root`,
    exec,
    sh(script, options) {
      const r = exec(['sh', '-c', script], options);
      if (r.status !== 0)
        throw new Error(`in the container: ${script}\nexit ${r.status}\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    },
    processes() {
      return exec(['ps', '-eo', 'user:32=,comm='])
        .stdout.split('\n')
        .filter(Boolean)
        .map((l) => {
          const [user, ...rest] = l.trim().split(/\s+/u);
          return { user: user!, command: rest.join(' ') };
        });
    },
    async stop() {
      if (child.exitCode !== null) return;
      exec(['systemctl', '--no-block', 'poweroff']);
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    },
  };
  // systemd is PID 1 before its bus socket exists, and under load `is-system-running` can answer `offline` before
  // the manager is reachable: ask again until it answers with a state of a booted system.
  let up = container.exec(['systemctl', 'is-system-running', '--wait'], {
    timeoutMs: Math.max(1000, deadline - Date.now()),
  });
  while (
    !/^(running|degraded)/u.test(up.stdout) &&
    (/connect to bus/u.test(up.stderr) || /^offline/u.test(up.stdout)) &&
    Date.now() < deadline
  ) {
    await sleep(250);
    up = container.exec(['systemctl', 'is-system-running', '--wait'], {
      timeoutMs: Math.max(1000, deadline - Date.now()),
    });
  }
  if (!/^(running|degraded)/u.test(up.stdout)) {
    await container.stop();
    throw new Error(
      `the container's systemd did not come up (${up.stdout.trim()} ${up.stderr.trim()}):\n${console}`,
    );
  }
  return container;
}

/** PIDs of host processes whose executable lies under `prefix` (a leftover container or service). */
export function hostProcessesUnder(prefix: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0]!.startsWith(prefix))
        found.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}
