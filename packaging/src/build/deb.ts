/**
 * Lays out one Debian binary package and builds it with dpkg-deb (no network, no debhelper): the one-file
 * executable and its addons under /usr/lib/NAME, /usr/bin/NAME, the hardened unit, the configuration files,
 * documentation, maintainer scripts from packaging/debian/scripts and the control file with the Depends that
 * dpkg-shlibdeps finds for the executable and its addons.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEBIAN_DIR } from './paths';
import type { DebPackage } from './packages';

/** Compression of the .deb members: xz for releases, gzip -1 where speed matters (tests). */
export interface Compression {
  type: 'xz' | 'gzip' | 'zstd' | 'none';
  level?: number;
}

export interface DebOptions {
  pkg: DebPackage;
  version: string;
  /** The one-file executable. */
  executable: string;
  /** Addon files to ship beside it (basename kept). */
  addons: string[];
  /** Scratch folder for the package tree. */
  workDir: string;
  /** Where the .deb goes. */
  outDir: string;
  compression?: Compression;
  /** Changelog date (RFC 2822); SOURCE_DATE_EPOCH or now by default. */
  date?: Date;
}

const MAINTAINER = 'Helmlink maintainers <maintainers@helmlink.invalid>';

/** Fills @NAME@ placeholders; throws on one left unfilled (a typo would otherwise ship). */
export function fillTemplate(text: string, values: Record<string, string>): string {
  const out = text.replace(/@([A-Z_]+)@/gu, (m, key: string) => values[key] ?? m);
  const left = /@[A-Z_]+@/u.exec(out);
  if (left) throw new Error(`unfilled placeholder ${left[0]}`);
  return out;
}

/** The unit file as installed: the package's unit with the shared sandbox settings inlined. */
export function renderUnit(pkg: DebPackage): string {
  const hardening = readFileSync(join(DEBIAN_DIR, 'hardening.conf'), 'utf8').trimEnd();
  return fillTemplate(readFileSync(join(DEBIAN_DIR, pkg.name, `${pkg.name}.service`), 'utf8'), {
    HARDENING: hardening,
  });
}

/** A maintainer script with the package's names filled in. */
export function renderScript(pkg: DebPackage, script: 'postinst' | 'prerm' | 'postrm'): string {
  return fillTemplate(readFileSync(join(DEBIAN_DIR, 'scripts', script), 'utf8'), {
    PACKAGE: pkg.name,
    USER: pkg.name,
    ROLE: pkg.role,
    UNIT: `${pkg.name}.service`,
    STATE_DIR: pkg.stateDir,
    CREDENTIAL_SOURCE: pkg.credentialSource,
  });
}

function put(root: string, path: string, content: string | Buffer, mode: number): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  chmodSync(file, mode);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** `shlibs:Depends` of the ELF files, from dpkg-shlibdeps (it needs a debian/control; a minimal one is made). */
export function sharedLibraryDepends(elfFiles: string[], scratch: string): string {
  mkdirSync(join(scratch, 'debian'), { recursive: true });
  writeFileSync(
    join(scratch, 'debian', 'control'),
    'Source: helmlink\n\nPackage: helmlink\nArchitecture: any\n',
  );
  const out = execFileSync('dpkg-shlibdeps', ['-O', ...elfFiles.map((f) => `-e${f}`)], {
    cwd: scratch,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = out.split('\n').find((l) => l.startsWith('shlibs:Depends='));
  if (!line) throw new Error(`dpkg-shlibdeps printed no shlibs:Depends: ${out}`);
  return line.slice('shlibs:Depends='.length).trim();
}

/** A manual page made from the executable's own --help (one source of truth for the options). */
export function manPage(pkg: DebPackage, version: string, executable: string, date: Date): string {
  const help = execFileSync(executable, ['--help'], {
    encoding: 'utf8',
    env: { ...process.env, HELMLINK_AS_ROOT: '1' },
  });
  const esc = (t: string) => t.replace(/\\/gu, '\\e').replace(/^([.'])/gmu, '\\&$1');
  return [
    `.TH ${pkg.name.toUpperCase()} 1 "${date.toISOString().slice(0, 10)}" "${pkg.name} ${version}" "Helmlink"`,
    '.SH NAME',
    `${pkg.name} \\- ${esc(pkg.summary.replace(/^Helmlink /u, ''))}`,
    '.SH SYNOPSIS',
    `.B ${pkg.name}`,
    '.I command',
    '[options]',
    '.SH DESCRIPTION',
    '.nf',
    esc(help.trimEnd()),
    '.fi',
    '.SH FILES',
    `/etc/helmlink, ${pkg.stateDir}, ${pkg.credentialSource}, /lib/systemd/system/${pkg.name}.service`,
    '.SH SEE ALSO',
    `/usr/share/doc/${pkg.name}/README.Debian`,
    '',
  ].join('\n');
}

function changelog(pkg: DebPackage, version: string, date: Date): Buffer {
  const text = `${pkg.name} (${version}) stable; urgency=medium\n\n  * Helmlink ${version}.\n\n -- ${MAINTAINER}  ${date.toUTCString().replace('GMT', '+0000')}\n`;
  return gzipSync(text, { level: 9 });
}

function control(
  pkg: DebPackage,
  version: string,
  arch: string,
  depends: string,
  installedSize: number,
): string {
  return [
    `Package: ${pkg.name}`,
    `Version: ${version}`,
    `Architecture: ${arch}`,
    `Maintainer: ${MAINTAINER}`,
    `Installed-Size: ${installedSize}`,
    `Depends: ${depends}`,
    'Section: net',
    'Priority: optional',
    'Homepage: https://helmlink.invalid/',
    `Description: ${pkg.summary}`,
    ...pkg.description.flatMap((p, i) => [...(i > 0 ? [' .'] : []), ...wrap(p, 78).map((l) => ` ${l}`)]),
    '',
  ].join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/u)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Builds the package; returns the .deb's path. */
export function buildDeb(options: DebOptions): string {
  const { pkg, version } = options;
  const root = join(options.workDir, `${pkg.name}-root`);
  rmSync(root, { recursive: true, force: true });
  const libDir = `usr/lib/${pkg.name}`;
  mkdirSync(join(root, libDir), { recursive: true });
  copyFileSync(options.executable, join(root, libDir, pkg.name));
  chmodSync(join(root, libDir, pkg.name), 0o755);
  for (const addon of options.addons) {
    const target = join(root, libDir, addon.split('/').pop()!);
    copyFileSync(addon, target);
    chmodSync(target, 0o644);
    execFileSync('strip', ['--strip-unneeded', target]);
  }
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  symlinkSync(`../lib/${pkg.name}/${pkg.name}`, join(root, 'usr/bin', pkg.name));
  put(root, `lib/systemd/system/${pkg.name}.service`, renderUnit(pkg), 0o644);
  for (const [unit, source] of Object.entries(pkg.extraUnits))
    put(root, `lib/systemd/system/${unit}`, readFileSync(source), 0o644);
  for (const [path, source] of Object.entries(pkg.conffiles))
    put(root, path.slice(1), readFileSync(source), 0o644);
  const doc = `usr/share/doc/${pkg.name}`;
  put(root, `${doc}/copyright`, readFileSync(join(DEBIAN_DIR, 'copyright')), 0o644);
  put(root, `${doc}/README.Debian`, readFileSync(join(DEBIAN_DIR, pkg.name, 'README.Debian')), 0o644);
  const date =
    options.date ??
    new Date(process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : Date.now());
  // A version without a Debian revision is a native package: its changelog is changelog.gz.
  put(
    root,
    `${doc}/${version.includes('-') ? 'changelog.Debian.gz' : 'changelog.gz'}`,
    changelog(pkg, version, date),
    0o644,
  );
  put(
    root,
    `usr/share/man/man1/${pkg.name}.1.gz`,
    gzipSync(manPage(pkg, version, options.executable, date), { level: 9 }),
    0o644,
  );
  put(
    root,
    `usr/share/lintian/overrides/${pkg.name}`,
    readFileSync(join(DEBIAN_DIR, pkg.name, 'lintian-overrides')),
    0o644,
  );

  const payload = filesUnder(root);
  const installedSize = Math.ceil(payload.reduce((n, f) => n + statSync(f).size, 0) / 1024);
  const elf = [
    join(root, libDir, pkg.name),
    ...options.addons.map((a) => join(root, libDir, a.split('/').pop()!)),
  ];
  const depends = [
    sharedLibraryDepends(elf, join(options.workDir, `${pkg.name}-shlibs`)),
    ...pkg.depends,
  ].join(', ');
  const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();

  put(root, 'DEBIAN/control', control(pkg, version, arch, depends, installedSize), 0o644);
  put(
    root,
    'DEBIAN/conffiles',
    Object.keys(pkg.conffiles)
      .map((p) => `${p}\n`)
      .join(''),
    0o644,
  );
  for (const script of ['postinst', 'prerm', 'postrm'] as const)
    put(root, `DEBIAN/${script}`, renderScript(pkg, script), 0o755);
  const md5 = payload
    .map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${relative(root, f)}\n`)
    .join('');
  put(root, 'DEBIAN/md5sums', md5, 0o644);

  mkdirSync(options.outDir, { recursive: true });
  const deb = join(options.outDir, `${pkg.name}_${version}_${arch}.deb`);
  const c = options.compression ?? { type: 'xz' };
  const compress = [`-Z${c.type}`, ...(c.level !== undefined && c.type !== 'none' ? [`-z${c.level}`] : [])];
  execFileSync('dpkg-deb', ['--root-owner-group', ...compress, '--build', root, deb], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return deb;
}
