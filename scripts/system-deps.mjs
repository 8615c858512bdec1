// Checks the system components the tests start for real (never mocked) and installs missing ones with apt
// where that is possible (root on Debian/Ubuntu). Otherwise it fails with a message naming the packages.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Each component: how to detect it, and the Debian packages that provide it. */
export const COMPONENTS = [
  {
    name: 'mosquitto',
    probe: ['mosquitto', '/usr/sbin/mosquitto'],
    packages: ['mosquitto', 'mosquitto-clients'],
  },
  { name: 'openssl', probe: ['openssl'], packages: ['openssl'] },
  // ISO 3166-1 codes: a source of the generated maritime tables (protocol/test/vocabulary/maritime-tables.test.ts).
  { name: 'iso-codes', probe: ['/usr/share/iso-codes/json/iso_3166-1.json'], packages: ['iso-codes'] },
  { name: 'redis-server', probe: ['redis-server'], packages: ['redis-server'] },
  { name: 'chromium', probe: ['/usr/bin/chromium'], packages: ['chromium'] },
  { name: 'dbus-run-session', probe: ['dbus-run-session'], packages: ['dbus'] },
  { name: 'gnome-keyring-daemon', probe: ['gnome-keyring-daemon'], packages: ['gnome-keyring'] },
  { name: 'secret-tool', probe: ['secret-tool'], packages: ['libsecret-tools'] },
  // Debian packaging (packaging/): build, check, verify units, install into a throwaway systemd machine.
  { name: 'dpkg-shlibdeps', probe: ['dpkg-shlibdeps'], packages: ['dpkg-dev'] },
  { name: 'lintian', probe: ['lintian'], packages: ['lintian'] },
  { name: 'systemd-analyze', probe: ['systemd-analyze'], packages: ['systemd'] },
  { name: 'systemd-nspawn', probe: ['systemd-nspawn'], packages: ['systemd-container'] },
  { name: 'debootstrap', probe: ['debootstrap'], packages: ['debootstrap'] },
  { name: 'libsystemd-dev', probe: ['/usr/include/systemd/sd-daemon.h'], packages: ['libsystemd-dev'] },
  { name: 'strip', probe: ['strip'], packages: ['binutils'] },
];

function found(probe) {
  return probe.some((p) =>
    p.startsWith('/') ? existsSync(p) : spawnSync('sh', ['-c', `command -v ${p}`]).status === 0,
  );
}

/** Returns the components not present on this machine. */
export function missingComponents() {
  return COMPONENTS.filter((c) => !found(c.probe));
}

/** Installs missing components with apt when possible; throws with a clear message otherwise. */
export function ensureSystemDeps({ log = console.log } = {}) {
  const missing = missingComponents();
  if (missing.length === 0) return;
  const packages = [...new Set(missing.flatMap((c) => c.packages))];
  const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canApt) {
    throw new Error(
      `missing system components: ${missing.map((c) => c.name).join(', ')}.\n` +
        `Install them with: sudo apt-get install -y ${packages.join(' ')}`,
    );
  }
  log(`[deps] installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env,
  });
  const still = missingComponents();
  if (still.length > 0) throw new Error(`apt-get could not provide: ${still.map((c) => c.name).join(', ')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensureSystemDeps();
    console.log('[deps] all system components present');
  } catch (err) {
    console.error(`[deps] ${err.message}`);
    process.exit(1);
  }
}
