/**
 * The systemd units as the packages install them, checked on this machine without installing: `systemd-analyze
 * verify` (syntax and semantics: it must print nothing) and the offline `systemd-analyze security` exposure. The
 * install test repeats both inside a booted machine with the real executables.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderUnit } from '../src/build/deb';
import { PACKAGES } from '../src/build/packages';

const root = mkdtempSync(join(tmpdir(), 'helmlink-units-'));
const unitDir = join(root, 'lib', 'systemd', 'system');
// The host's units (targets the services refer to); ours on top.
cpSync('/lib/systemd/system', unitDir, { recursive: true, dereference: false });
mkdirSync(join(root, 'usr', 'bin'), { recursive: true });
for (const pkg of PACKAGES) {
  writeFileSync(join(unitDir, `${pkg.name}.service`), renderUnit(pkg));
  // verify only checks that ExecStart= names an executable; the install test runs the real one.
  copyFileSync('/bin/true', join(root, 'usr', 'bin', pkg.name));
  for (const [unit, source] of Object.entries(pkg.extraUnits)) copyFileSync(source, join(unitDir, unit));
}
// The reload unit runs the host's systemctl.
mkdirSync(join(root, 'bin'), { recursive: true });
copyFileSync('/bin/true', join(root, 'bin', 'systemctl'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function verify(unit: string) {
  const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, `/lib/systemd/system/${unit}`], {
    encoding: 'utf8',
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('packaged systemd units', () => {
  for (const pkg of PACKAGES) {
    it(`${pkg.name}.service passes systemd-analyze verify with no warning`, () => {
      expect(verify(`${pkg.name}.service`)).toEqual({ status: 0, output: '' });
    });

    it(`${pkg.name}.service: overall exposure at most 2.0, with the sandbox the issue asks for`, () => {
      const out = execFileSync(
        'systemd-analyze',
        [
          'security',
          '--offline=true',
          `--root=${root}`,
          '--threshold=20',
          `/lib/systemd/system/${pkg.name}.service`,
        ],
        { encoding: 'utf8' },
      );
      const level = Number(/Overall exposure level for \S+: ([\d.]+)/u.exec(out)?.[1]);
      expect(level).toBeLessThanOrEqual(2);
      const unit = renderUnit(pkg);
      for (const line of [
        'NoNewPrivileges=yes',
        'ProtectSystem=strict',
        'ProtectHome=yes',
        'PrivateTmp=yes',
        `ReadWritePaths=${pkg.stateDir}`,
        'CapabilityBoundingSet=\n',
        'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
        'SystemCallFilter=@system-service',
        'Restart=on-failure',
        'StartLimitBurst=5',
        'Type=notify',
        `LoadCredential=`,
        `User=${pkg.name}`,
      ])
        expect(unit).toContain(line);
      expect(unit).not.toMatch(/passphrase=|PASSPHRASE=|Environment=.*PASSPHRASE/u);
    });
  }

  it('the CA ships a path unit that reloads (never restarts) a broker it does not run when its CRL changes', () => {
    expect(verify('helmlink-broker-reload.path')).toEqual({ status: 0, output: '' });
    expect(verify('helmlink-broker-reload.service')).toEqual({ status: 0, output: '' });
    const ca = PACKAGES.find((p) => p.name === 'helmlink-ca')!;
    const path = readFileSync(ca.extraUnits['helmlink-broker-reload.path']!, 'utf8');
    expect(path).toMatch(/^PathChanged=\/var\/lib\/helmlink\/broker\/crl\.pem$/mu);
    const service = readFileSync(ca.extraUnits['helmlink-broker-reload.service']!, 'utf8');
    expect(service).toMatch(/^ExecStart=\/bin\/systemctl reload mosquitto\.service$/mu);
    expect(service).not.toMatch(/^Exec.*restart/imu);
  });

  it('verify reports a broken setting (so the empty output above means something)', () => {
    const broken = renderUnit(PACKAGES[0]).replace('ProtectHome=yes', 'ProtectHome=sometimes');
    writeFileSync(join(unitDir, 'helmlink-broken.service'), broken);
    expect(verify('helmlink-broken.service').output).toContain('Failed to parse protect home value');
  });
});
