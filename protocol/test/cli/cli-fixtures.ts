/** Writes a code-generated PKI to a temporary directory and runs the real `helmlink` binary. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestPki, type TestPki } from '../../src/testing/pki';
import { certificateToPem, crlToPem, encodePem } from '../../src/pki/pem';

export const REPO = resolve(import.meta.dirname, '../../..');
export const NOW = new Date('2026-11-22T03:00:00Z');
export const NOW_TEXT = '2026-11-22T03:00:00Z';

export interface CliPki {
  dir: string;
  pki: TestPki;
  /** Paths of the written files. */
  files: Record<
    | 'root'
    | 'issuing'
    | 'pilotCert'
    | 'pilotKey'
    | 'vesselCert'
    | 'vesselKey'
    | 'crl'
    | 'crlRevoked'
    | 'catalog',
    string
  >;
}

export async function writeCliPki(): Promise<CliPki> {
  const dir = mkdtempSync(join(tmpdir(), 'helmlink-cli-'));
  const pki = await createTestPki({ now: NOW });
  const pilot = await pki.issue('pilot-1', ['pilot']);
  const vessel = await pki.issue('vessel-1', ['vessel']);
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const keyPem = async (key: CryptoKey) =>
    encodePem('PRIVATE KEY', new Uint8Array(await globalThis.crypto.subtle.exportKey('pkcs8', key)));
  const files = {
    root: file('root.pem', certificateToPem(pki.root.certificate)),
    issuing: file('issuing.pem', certificateToPem(pki.issuing.certificate)),
    pilotCert: file('pilot.pem', certificateToPem(pilot.certificate)),
    pilotKey: file('pilot.key', await keyPem(pilot.keys.privateKey)),
    vesselCert: file('vessel.pem', certificateToPem(vessel.certificate)),
    vesselKey: file('vessel.key', await keyPem(vessel.keys.privateKey)),
    crl: file('crl.pem', crlToPem(await pki.issuingCrl([]))),
    crlRevoked: file(
      'crl-revoked.pem',
      crlToPem(
        await pki.issuingCrl([
          { serial: pilot.certificate.serialNumber, revokedAt: new Date(NOW.getTime() - 60_000), reason: 1 },
        ]),
      ),
    ),
    catalog: file(
      'catalog.json',
      JSON.stringify({
        streams: [
          {
            id: 'MISC',
            name: 'Miscellaneous',
            kind: 'iec61162-450',
            address: '239.192.0.1:60001',
            bitrateBps: 64000,
          },
          {
            id: 'NAVD',
            name: 'Navigation',
            kind: 'iec61162-450',
            address: '239.192.0.4:60004',
            bitrateBps: 128000,
            critical: true,
          },
        ],
      }),
    ),
  };
  return { dir, pki, files };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node cli/bin/helmlink.mjs ...args` from the repository root. */
export function helmlink(args: readonly string[], stdin?: string): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(REPO, 'cli/bin/helmlink.mjs'), ...args], {
      cwd: REPO,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
