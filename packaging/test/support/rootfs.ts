/**
 * A pristine Debian root with systemd for the install tests, made once per machine with debootstrap from Debian's
 * mirror (~40 s and ~90 MB of downloads here) and cached outside the repository, so a later `npm test` on the same
 * machine (CI included) starts from the cache. Each test boots it with `systemd-nspawn --volatile=overlay`: every
 * change lands in a throwaway tmpfs layer, so the cached root stays fresh.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Packages on top of debootstrap's minbase: an init system and what the Helmlink packages depend on. */
export const ROOTFS_INCLUDE = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'adduser',
  'libstdc++6',
  'libsystemd0',
  'procps',
];

/** Where the cached roots live (HELMLINK_ROOTFS_CACHE overrides). */
export const ROOTFS_CACHE = process.env.HELMLINK_ROOTFS_CACHE ?? '/var/cache/helmlink/rootfs';

/** The host's Debian release (the packages are built against its libraries). */
export function hostCodename(): string {
  const m = /^VERSION_CODENAME=(\S+)$/mu.exec(readFileSync('/etc/os-release', 'utf8'));
  if (!m) throw new Error('/etc/os-release names no VERSION_CODENAME');
  return m[1]!;
}

/** The cached root for this release, made when missing or made from another package list; returns its path. */
export function ensureRootfs(log: (line: string) => void = () => {}): string {
  const codename = hostCodename();
  const dir = join(ROOTFS_CACHE, `debian-${codename}-systemd`);
  const stamp = join(dir, '.helmlink-rootfs');
  const want = `${codename} minbase ${ROOTFS_INCLUDE.join(',')}\n`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return dir;
  mkdirSync(ROOTFS_CACHE, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  log(`debootstrap ${codename} into ${tmp} (cached for later runs)`);
  execFileSync(
    'debootstrap',
    [
      '--variant=minbase',
      `--include=${ROOTFS_INCLUDE.join(',')}`,
      codename,
      tmp,
      'http://deb.debian.org/debian',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    },
  );
  // The downloaded .deb files are not needed to boot; the root keeps its apt lists for diagnosis.
  execFileSync('chroot', [tmp, 'apt-get', 'clean']);
  writeFileSync(join(tmp, '.helmlink-rootfs'), want);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}
