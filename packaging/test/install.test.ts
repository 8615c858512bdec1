/**
 * Installs both packages with dpkg -i on a throwaway Debian machine (the cached debootstrap root booted with systemd
 * under systemd-nspawn, see support/), then runs the installed executables and services as an operator would:
 * --help and --version, `helmlink-ca init` + the CA service, a vessel enrolled at that CA, `helmlink-vessel status`,
 * an upgrade to a rebuilt version that keeps the vessel's state, keys and replay cache, removal that leaves no
 * process behind and keeps the data, and purge that deletes it.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IEC_61162_450_CATALOG } from '@helmlink/protocol';
import { StateStore } from '@helmlink/vessel';
import { buildPackages, workspaceVersion } from '../src/build/build';
import { bootContainer, hostProcessesUnder, type Container } from './support/container';
import { ensureRootfs } from './support/rootfs';

const V1 = `${workspaceVersion()}+test1`;
const V2 = `${workspaceVersion()}+test2`;
const CA_DIR = '/var/lib/helmlink/ca';
const VESSEL_DIR = '/var/lib/helmlink/vessel';
const VESSEL_FILES = ['key.pem', 'cert.pem', 'root.pem', 'state.jsonl'];

let work: string;
let box: Container;
const log = (line: string) => process.stderr.write(`[install test] ${line}\n`);

/** SHA-256 of the vessel's key, certificate, pinned root and state file, read from the host side. */
function vesselFileHashes(): Record<string, string> {
  return Object.fromEntries(
    VESSEL_FILES.map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(box.rootOnHost, VESSEL_DIR, f)))
        .digest('hex'),
    ]),
  );
}

function status(): {
  vesselId: string;
  certificate: { serial: string };
  seq: number;
  lastJti: string | null;
  streams: { id: string; on: boolean }[];
} {
  return JSON.parse(box.sh('helmlink-vessel status --config /etc/helmlink/vessel.json --json')) as ReturnType<
    typeof status
  >;
}

/** The unit's recent journal and state, shown when an assertion about it fails. */
function unitLog(unit: string): string {
  return box.exec([
    'sh',
    '-c',
    `systemctl status --no-pager ${unit}; journalctl -u ${unit} --no-pager -o cat -n 40`,
  ]).stdout;
}

function mainPid(unit: string): number {
  return Number(box.sh(`systemctl show -p MainPID --value ${unit}`).trim());
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('the install test needs root (dpkg, systemd-nspawn)');
  work = mkdtempSync(join(tmpdir(), 'helmlink-install-'));
  const fast = { type: 'gzip', level: 1 } as const;
  log(`building ${V1} and ${V2}`);
  await buildPackages({
    version: V1,
    outDir: join(work, 'debs', 'v1'),
    workDir: join(work, 'build1'),
    compression: fast,
  });
  await buildPackages({
    version: V2,
    outDir: join(work, 'debs', 'v2'),
    workDir: join(work, 'build2'),
    compression: fast,
  });
  const root = ensureRootfs(log);
  log(`booting ${root}`);
  box = await bootContainer(root, { [join(work, 'debs')]: '/mnt/debs' });
}, 900_000);

afterAll(async () => {
  await box?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('the built packages', () => {
  it('lintian finds no error (overrides carry their reasons in packaging/debian/*/lintian-overrides)', () => {
    const r = spawnSync(
      'lintian',
      [
        '--tag-display-limit',
        '0',
        ...readdirSync(join(work, 'debs', 'v1')).map((f) => join(work, 'debs', 'v1', f)),
      ],
      { encoding: 'utf8' },
    );
    log(`lintian: ${r.stdout.trim().split('\n').filter(Boolean).join(' | ') || 'clean'}`);
    expect(r.stdout).not.toMatch(/^E: /mu);
    expect(r.status).toBe(0);
  }, 300_000);

  it('ship the executable, its addons, the unit, the conffile and the docs', () => {
    const list = (name: string) =>
      execFileSync(
        'dpkg-deb',
        [
          '-c',
          join(
            work,
            'debs',
            'v1',
            readdirSync(join(work, 'debs', 'v1')).find((f) => f.startsWith(`${name}_`))!,
          ),
        ],
        { encoding: 'utf8' },
      );
    const vessel = list('helmlink-vessel');
    for (const f of [
      './usr/lib/helmlink-vessel/helmlink-vessel',
      './usr/lib/helmlink-vessel/notify.node',
      './usr/bin/helmlink-vessel -> ../lib/helmlink-vessel/helmlink-vessel',
      './lib/systemd/system/helmlink-vessel.service',
      './etc/helmlink/vessel.json',
      './usr/share/doc/helmlink-vessel/copyright',
      './usr/share/man/man1/helmlink-vessel.1.gz',
    ])
      expect(vessel).toContain(f);
    expect(vessel).not.toContain('better_sqlite3.node');
    const ca = list('helmlink-ca');
    for (const f of [
      './usr/lib/helmlink-ca/helmlink-ca',
      './usr/lib/helmlink-ca/better_sqlite3.node',
      './usr/lib/helmlink-ca/notify.node',
      './etc/helmlink/ca.conf',
      './lib/systemd/system/helmlink-ca.service',
      './lib/systemd/system/helmlink-broker-reload.path',
      './lib/systemd/system/helmlink-broker-reload.service',
    ])
      expect(ca).toContain(f);
  });
});

// Each step runs real dpkg and systemd operations on 90 MB executables: generous per-step time on a loaded machine.
describe('helmlink-vessel and helmlink-ca on a fresh Debian machine', { timeout: 180_000 }, () => {
  it('install with dpkg -i: users, 0700 state, enabled units that wait for setup', () => {
    box.sh(`dpkg -i /mnt/debs/v1/helmlink-ca_${V1}_*.deb /mnt/debs/v1/helmlink-vessel_${V1}_*.deb`);
    for (const name of ['helmlink-ca', 'helmlink-vessel']) {
      expect(box.sh(`getent passwd ${name} | cut -d: -f7`).trim()).toMatch(/nologin|false/u);
      expect(box.sh(`stat -c '%a %U %G' /var/lib/helmlink/${name.slice('helmlink-'.length)}`).trim()).toBe(
        `700 ${name} ${name}`,
      );
      expect(box.sh(`systemctl is-enabled ${name}`).trim()).toBe('enabled');
      // ConditionPathExists= keeps the service from starting (and failing) before init/enroll.
      expect(box.exec(['systemctl', 'is-active', name]).stdout.trim()).toBe('inactive');
      expect(box.sh(`systemctl show -p ConditionResult --value ${name}`).trim()).toBe('no');
    }
    expect(box.sh('stat -c %a /etc/helmlink/credentials').trim()).toBe('700');
    // The same package installed again (reconfigure) is idempotent.
    box.sh(`dpkg -i /mnt/debs/v1/helmlink-vessel_${V1}_*.deb`);
  });

  it('helmlink-broker-reload.path reloads (never restarts) the broker each time the CA replaces its crl.pem', () => {
    // A stand-in for Debian's mosquitto.service (its ExecReload= is the SIGHUP): counts reloads, keeps its pid.
    box.sh('cat > /etc/systemd/system/mosquitto.service', {
      input: [
        '[Service]',
        'ExecStart=/bin/sleep infinity',
        "ExecReload=/bin/sh -c 'echo reload >> /run/mosquitto-reloads'",
        '',
      ].join('\n'),
    });
    box.sh('systemctl daemon-reload && systemctl start mosquitto && install -d /var/lib/helmlink/broker');
    const pid = mainPid('mosquitto');
    box.sh('systemctl enable --now helmlink-broker-reload.path');
    // As the CA writes it: a temporary file renamed over crl.pem.
    const write = (n: number) =>
      box.sh(
        `echo crl ${n} > /var/lib/helmlink/broker/.crl.tmp && mv /var/lib/helmlink/broker/.crl.tmp /var/lib/helmlink/broker/crl.pem`,
      );
    const reloads = () =>
      box.exec(['sh', '-c', 'cat /run/mosquitto-reloads 2>/dev/null | wc -l']).stdout.trim();
    const waitFor = (n: string) => {
      for (let i = 0; i < 100 && reloads() !== n; i++) box.sh('sleep 0.1');
      expect(reloads()).toBe(n);
    };
    write(1);
    waitFor('1');
    write(2);
    waitFor('2');
    expect(mainPid('mosquitto')).toBe(pid);
    box.sh('systemctl disable --now helmlink-broker-reload.path && systemctl stop mosquitto');
    box.sh('rm /etc/systemd/system/mosquitto.service && systemctl daemon-reload');
  });

  it('the installed executables answer --help and --version without a Node installation', () => {
    expect(box.exec(['sh', '-c', 'command -v node']).status).not.toBe(0);
    const help = box.sh('helmlink-ca --help');
    for (const command of ['init', 'serve', 'token', 'broker sync', 'audit verify'])
      expect(help).toContain(command);
    expect(box.sh('helmlink-vessel --help')).toMatch(/enroll[\s\S]*run[\s\S]*status/u);
    expect(box.sh('helmlink-vessel status --help')).toContain('--config FILE');
    expect(box.sh('helmlink-ca --version')).toContain(`helmlink-ca ${V1}`);
    expect(box.sh('helmlink-vessel --version')).toContain(`helmlink-vessel ${V1}`);
    expect(box.exec(['helmlink-vessel', 'nonsense']).status).toBe(2);
  });

  it('ca init as root runs as the service user with the credential; the service starts and reports ready', () => {
    box.sh(
      'umask 077; printf "%s\\n" "ca passphrase for the install test" > /etc/helmlink/credentials/ca-passphrase',
    );
    const init = box.sh(
      `helmlink-ca init --dir ${CA_DIR} --org "Install Test" --host 127.0.0.1 --host localhost`,
    );
    expect(init).toMatch(/Root fingerprint \(SHA-256\): [0-9a-f]{64}/u);
    expect(box.sh(`stat -c %U ${CA_DIR}/ca.db ${CA_DIR}/issuing.key.pem | sort -u`).trim()).toBe(
      'helmlink-ca',
    );
    box.sh('systemctl start helmlink-ca');
    expect(box.sh('systemctl is-active helmlink-ca').trim()).toBe('active');
    // Type=notify: "active" means the process sent READY=1 with its status line.
    expect(box.sh('systemctl show -p StatusText --value helmlink-ca')).toContain(
      'listening on https://127.0.0.1:8443',
    );
    expect(box.sh(`ps -o user= -p ${mainPid('helmlink-ca')}`).trim()).toBe('helmlink-ca');
    // The passphrase is nowhere in the unit or the service's environment.
    const env = box.sh(`tr '\\0' '\\n' < /proc/${mainPid('helmlink-ca')}/environ`);
    expect(env).not.toContain('ca passphrase for the install test');
    expect(env).toContain('CREDENTIALS_DIRECTORY=');
    expect(box.sh('systemctl cat helmlink-ca')).not.toContain('ca passphrase');
  });

  it('a vessel enrolls at that CA, shows its status from the installed paths and runs as a service', () => {
    const token = box
      .sh(`helmlink-ca token --dir ${CA_DIR} --entity mv-install --role vessel --imo 9074729`)
      .trim();
    expect(token).toMatch(/^hlt_/u);
    const root = readFileSync(join(box.rootOnHost, CA_DIR, 'root.crt.pem'), 'utf8');
    const der = Buffer.from(root.replace(/-----[^-]+-----|\s/gu, ''), 'base64');
    const sha = createHash('sha256').update(der).digest('hex');
    const config = JSON.parse(readFileSync(join(box.rootOnHost, 'etc/helmlink/vessel.json'), 'utf8')) as {
      vesselId: string;
      ca: { url: string; rootFingerprint: string };
      broker: { url: string };
    };
    config.vesselId = 'mv-install';
    config.ca.url = 'https://127.0.0.1:8443';
    config.ca.rootFingerprint = sha;
    config.broker.url = 'mqtts://127.0.0.1:8883';
    box.sh('cat > /etc/helmlink/vessel.json', { input: `${JSON.stringify(config, null, 2)}\n` });
    box.sh(
      'umask 077; printf "%s\\n" "vessel key passphrase" > /etc/helmlink/credentials/vessel-key-passphrase',
    );
    // No passphrase source for a plain user shell: a clear error, exit 1.
    const denied = box.exec([
      'runuser',
      '-u',
      'helmlink-vessel',
      '--',
      'helmlink-vessel',
      'status',
      '--config',
      '/etc/helmlink/vessel.json',
    ]);
    expect(denied.status).toBe(1);
    expect(denied.stderr).toContain('ERR_PASSPHRASE_REQUIRED');
    // The token goes in on stdin (systemd-run --pipe hands it to the service user), never in the arguments.
    const enrolled = box.sh('helmlink-vessel enroll --config /etc/helmlink/vessel.json --token-file -', {
      input: `${token}\n`,
    });
    expect(enrolled).toContain('enrolled mv-install');
    expect(box.sh(`stat -c '%U %a' ${VESSEL_DIR}/key.pem`).trim()).toBe('helmlink-vessel 600');
    const s = status();
    expect(s.vesselId).toBe('mv-install');
    expect(s.seq).toBe(0);

    // A handled command in the state file (as the listener writes it): stream state, replay entry, ack.
    const path = join(box.rootOnHost, VESSEL_DIR, 'state.jsonl');
    const store = StateStore.open(path, IEC_61162_450_CATALOG);
    const all = IEC_61162_450_CATALOG.streams.map((x) => x.address);
    store.commit(
      {
        cmdSha256: 'c2hhMjU2LW9mLXRoZS1jb21tYW5k',
        iss: 'pilot-install',
        jti: 'jti-before-upgrade',
        ack: 'ack-token',
        expiresAt: Math.floor(Date.now() / 1000) + 86_400 * 365,
      },
      { on: all.slice(1), off: all.slice(0, 1) },
    );
    store.close();
    const owner = statSync(join(box.rootOnHost, VESSEL_DIR, 'key.pem'));
    chownSync(path, owner.uid, owner.gid);

    box.sh('systemctl start helmlink-vessel');
    const journal = () => unitLog('helmlink-vessel');
    expect(mainPid('helmlink-vessel'), journal()).toBeGreaterThan(0);
    // With the broker unreachable the listener keeps running and retrying (it once exited 0 here).
    box.sh('sleep 3');
    expect(box.exec(['systemctl', 'is-active', 'helmlink-vessel']).stdout.trim(), journal()).toBe('active');
    expect(box.sh('systemctl is-active helmlink-vessel').trim()).toBe('active');
    expect(box.sh('systemctl show -p StatusText --value helmlink-vessel')).toContain(
      'vessel mv-install listening',
    );
    expect(box.sh(`ps -o user= -p ${mainPid('helmlink-vessel')}`).trim()).toBe('helmlink-vessel');
    const running = status();
    expect(running.seq).toBe(1);
    expect(running.lastJti).toBe('jti-before-upgrade');
  });

  it('both units pass systemd-analyze verify and security inside the machine', () => {
    const verify = box.exec(['systemd-analyze', 'verify', 'helmlink-vessel.service', 'helmlink-ca.service']);
    expect(verify.stderr + verify.stdout).toBe('');
    expect(verify.status).toBe(0);
    for (const unit of ['helmlink-vessel', 'helmlink-ca']) {
      // --threshold counts in tenths: 20 = an overall exposure above 2.0 ("OK" ends at 3.9) fails.
      const sec = box.exec(['systemd-analyze', 'security', '--threshold=20', unit]);
      log(sec.stdout.trim().split('\n').pop()!);
      expect(sec.status).toBe(0);
    }
  });

  it('upgrade to a rebuilt version restarts the services and keeps state, keys and replay cache', () => {
    const before = {
      hashes: vesselFileHashes(),
      status: status(),
      vesselPid: mainPid('helmlink-vessel'),
      caPid: mainPid('helmlink-ca'),
    };
    const issued = () =>
      (JSON.parse(box.sh(`helmlink-ca export --dir ${CA_DIR}`)) as { certificates: unknown[] }).certificates;
    const caDb = issued();
    expect(caDb.length).toBeGreaterThan(0);
    box.sh(`dpkg -i /mnt/debs/v2/helmlink-ca_${V2}_*.deb /mnt/debs/v2/helmlink-vessel_${V2}_*.deb`);
    expect(box.sh('helmlink-vessel --version')).toContain(V2);
    expect(box.exec(['dpkg-query', '-W', '-f', '${Version}', 'helmlink-vessel']).stdout).toBe(V2);
    for (const unit of ['helmlink-vessel', 'helmlink-ca'])
      expect(box.exec(['systemctl', 'is-active', unit]).stdout.trim(), unitLog(unit)).toBe('active');
    expect(mainPid('helmlink-vessel')).not.toBe(before.vesselPid);
    expect(mainPid('helmlink-ca')).not.toBe(before.caPid);
    const after = status();
    expect(after.certificate.serial).toBe(before.status.certificate.serial);
    expect(after.seq).toBe(1);
    expect(after.lastJti).toBe('jti-before-upgrade');
    expect(after.streams.filter((x) => !x.on)).toHaveLength(1);
    expect(issued()).toEqual(caDb);
    expect(vesselFileHashes()).toEqual(before.hashes);
    // The local config edits survived (the packaged conffile did not change).
    expect(box.sh('grep -c mv-install /etc/helmlink/vessel.json').trim()).toBe('1');
    box.sh('systemctl stop helmlink-vessel');
    const store = StateStore.open(join(box.rootOnHost, VESSEL_DIR, 'state.jsonl'), IEC_61162_450_CATALOG, {
      fsync: false,
    });
    expect(store.seen('pilot-install', 'jti-before-upgrade')).toBe(true);
    store.close();
    // Opening it from the host (as root) may have rewritten it: hand it back to the service user.
    const owner = statSync(join(box.rootOnHost, VESSEL_DIR, 'key.pem'));
    chownSync(join(box.rootOnHost, VESSEL_DIR, 'state.jsonl'), owner.uid, owner.gid);
    box.sh('systemctl start helmlink-vessel');
  });

  it('remove stops the services, leaves no process behind and keeps the data', () => {
    box.sh('dpkg -r helmlink-vessel helmlink-ca');
    const left = box
      .processes()
      .filter((p) => p.user.startsWith('helmlink') || p.command.startsWith('helmlink'));
    expect(left).toEqual([]);
    expect(box.exec(['sh', '-c', 'command -v helmlink-vessel']).status).not.toBe(0);
    for (const f of [
      `${VESSEL_DIR}/key.pem`,
      `${VESSEL_DIR}/state.jsonl`,
      `${CA_DIR}/ca.db`,
      '/etc/helmlink/credentials/ca-passphrase',
    ])
      box.sh(`test -e ${f}`);
    expect([
      ...hostProcessesUnder('/usr/bin/helmlink-'),
      ...hostProcessesUnder('/usr/lib/helmlink-'),
    ]).toEqual([]);
  });

  it('purge deletes state, credentials and configuration', () => {
    box.sh('dpkg -P helmlink-vessel helmlink-ca');
    for (const f of [VESSEL_DIR, CA_DIR, '/etc/helmlink']) expect(box.exec(['test', '-e', f]).status).toBe(1);
    expect(box.exec(['dpkg-query', '-W', 'helmlink-vessel']).status).not.toBe(0);
  });
});
