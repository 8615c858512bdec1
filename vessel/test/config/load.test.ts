import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHelmlinkError } from '@helmlink/protocol';
import { loadVesselConfig, parseVesselConfig, readPassphrase } from '../../src/config';

const minimal = {
  vesselId: 'MV-ONE',
  dataDir: './data',
  ca: { url: 'https://ca.example:8443', rootFingerprint: 'AB:'.repeat(31) + 'AB' },
  broker: { url: 'mqtts://broker.example:8883' },
  key: { passphrase: { env: 'VESSEL_PASS' } },
};

function codeAndMessage(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (err) {
    if (isHelmlinkError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('did not throw');
}

describe('vessel config', () => {
  it('applies defaults, normalises the fingerprint and resolves paths against the config folder', () => {
    const c = parseVesselConfig(minimal, '/etc/helmlink');
    expect(c.dataDir).toBe('/etc/helmlink/data');
    expect(c.ca.rootFingerprint).toBe('ab'.repeat(32));
    expect(c.clockToleranceSeconds).toBe(30);
    expect(c.broker.protocolVersion).toBe(5);
    expect(c.crl).toEqual({ graceSeconds: 3600, failClosed: true, refreshSeconds: 900 });
    expect(c.renewal.atFraction).toBeCloseTo(2 / 3);
    expect(c.catalog.streams.map((s) => s.id)).toEqual([
      'MISC',
      'TGTD',
      'SATD',
      'NAVD',
      'VDRD',
      'RCOM',
      'TIME',
      'PROP',
    ]);
    expect(parseVesselConfig({ ...minimal, catalog: 'default' }).catalog.streams.length).toBe(11);
  });

  it('rejects invalid fields with ERR_CONFIG_INVALID naming the field', () => {
    const cases: [unknown, string][] = [
      [{ ...minimal, vesselId: 'a/b' }, 'vesselId'],
      [{ ...minimal, broker: { url: 'mqtt://plain:1883' } }, 'broker.url'],
      [{ ...minimal, ca: { ...minimal.ca, url: 'http://ca' } }, 'ca.url'],
      [{ ...minimal, ca: { ...minimal.ca, rootFingerprint: 'abc' } }, 'ca.rootFingerprint'],
      [{ ...minimal, key: { passphrase: { env: 'A', file: 'b' } } }, 'key.passphrase'],
      [{ ...minimal, clockToleranceSeconds: -1 }, 'clockToleranceSeconds'],
      [{ ...minimal, surprise: true }, '(root)'],
      [
        {
          ...minimal,
          catalog: { streams: [{ id: 'X', name: 'x', kind: 'other', address: '10.0.0.1:1', bitrateBps: 1 }] },
        },
        'catalog',
      ],
      [
        { ...minimal, broker: { url: 'mqtts://b:1', reconnect: { initialDelayMs: 5000, maxDelayMs: 1000 } } },
        'broker.reconnect.maxDelayMs',
      ],
    ];
    for (const [value, field] of cases) {
      const { code, message } = codeAndMessage(() => parseVesselConfig(value));
      expect(code).toBe('ERR_CONFIG_INVALID');
      expect(message).toContain(field);
    }
  });

  it('reads files, reports unreadable or non-JSON files, and the example config is valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-config-'));
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    await expect(loadVesselConfig(join(dir, 'bad.json'))).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
    });
    await expect(loadVesselConfig(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
    });
    const example = await loadVesselConfig(
      new URL('../../../resources/vessel.example.json', import.meta.url).pathname,
    );
    expect(example.vesselId).toBeTruthy();
  });

  it('reads the passphrase from an env variable or the first line of a file, refusing empty ones', async () => {
    const c = parseVesselConfig(minimal);
    await expect(readPassphrase(c, { VESSEL_PASS: 'secret' })).resolves.toBe('secret');
    await expect(readPassphrase(c, {})).rejects.toMatchObject({ code: 'ERR_PASSPHRASE_REQUIRED' });
    const dir = mkdtempSync(join(tmpdir(), 'vessel-pass-'));
    writeFileSync(join(dir, 'pass'), 'from file\nignored');
    writeFileSync(join(dir, 'empty'), '\n');
    await expect(
      readPassphrase(parseVesselConfig({ ...minimal, key: { passphrase: { file: 'pass' } } }, dir)),
    ).resolves.toBe('from file');
    await expect(
      readPassphrase(parseVesselConfig({ ...minimal, key: { passphrase: { file: 'empty' } } }, dir)),
    ).rejects.toMatchObject({ code: 'ERR_PASSPHRASE_REQUIRED' });
    await expect(
      readPassphrase(parseVesselConfig({ ...minimal, key: { passphrase: { file: 'nope' } } }, dir)),
    ).rejects.toMatchObject({ code: 'ERR_PASSPHRASE_REQUIRED' });
  });

  it('reads the passphrase from a systemd credential ($CREDENTIALS_DIRECTORY/NAME), and only under systemd', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-cred-'));
    writeFileSync(join(dir, 'key-passphrase'), 'from systemd\n');
    const c = parseVesselConfig({ ...minimal, key: { passphrase: { credential: 'key-passphrase' } } });
    await expect(readPassphrase(c, { CREDENTIALS_DIRECTORY: dir })).resolves.toBe('from systemd');
    await expect(readPassphrase(c, {})).rejects.toMatchObject({
      code: 'ERR_PASSPHRASE_REQUIRED',
      message: expect.stringContaining('needs $CREDENTIALS_DIRECTORY'),
    });
    await expect(readPassphrase(c, { CREDENTIALS_DIRECTORY: join(dir, 'nope') })).rejects.toMatchObject({
      code: 'ERR_PASSPHRASE_REQUIRED',
    });
    expect(() =>
      parseVesselConfig({ ...minimal, key: { passphrase: { credential: '../etc/shadow' } } }),
    ).toThrow(/must be a systemd credential name/u);
    expect(() =>
      parseVesselConfig({ ...minimal, key: { passphrase: { credential: 'a', env: 'B' } } }),
    ).toThrow(/exactly one of env, file or credential/u);
  });
});
