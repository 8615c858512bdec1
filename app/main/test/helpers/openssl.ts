/** Identity files written by the real OpenSSL CLI (what users bring from other tools). */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificatesToPem, encodePem, exportPkcs8 } from '@helmlink/protocol';
import type { TestEntity, TestPki } from '@helmlink/protocol/testing';

/** Writes `openssl pkcs8 -topk8 -v2 aes-256-cbc` PEM and a chain PEM (leaf, issuing, root). */
export async function opensslEncryptedPem(
  dir: string,
  entity: TestEntity,
  pki: TestPki,
  passphrase: string,
): Promise<{ keyPem: string; chainPem: string }> {
  const plain = join(dir, `${entity.entityId}.key`);
  writeFileSync(plain, encodePem('PRIVATE KEY', await exportPkcs8(entity.keys.privateKey)), { mode: 0o600 });
  const keyPem = execFileSync(
    'openssl',
    ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', plain, '-passout', `pass:${passphrase}`],
    { encoding: 'utf8' },
  );
  return { keyPem, chainPem: certificatesToPem([...entity.chain, pki.root.certificate]) };
}

/** Writes a PKCS#12 with `openssl pkcs12 -export` (OpenSSL 3 defaults, or the legacy 3DES/SHA-1 profile). */
export async function opensslPkcs12(
  dir: string,
  entity: TestEntity,
  pki: TestPki,
  passphrase: string,
  legacy = false,
): Promise<string> {
  const key = join(dir, `${entity.entityId}.p12.key`);
  const certs = join(dir, `${entity.entityId}.p12.pem`);
  const out = join(dir, `${entity.entityId}${legacy ? '.legacy' : ''}.p12`);
  writeFileSync(key, encodePem('PRIVATE KEY', await exportPkcs8(entity.keys.privateKey)), { mode: 0o600 });
  writeFileSync(certs, certificatesToPem([...entity.chain, pki.root.certificate]));
  const extra = legacy ? ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'] : [];
  execFileSync('openssl', [
    'pkcs12',
    '-export',
    '-inkey',
    key,
    '-in',
    certs,
    '-out',
    out,
    '-passout',
    `pass:${passphrase}`,
    ...extra,
  ]);
  return readFileSync(out).toString('base64');
}
