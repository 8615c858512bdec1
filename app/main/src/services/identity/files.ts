/** The identity's files in the console data directory: sealed key, certificate chain, pinned root, metadata. */
import 'reflect-metadata';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as x509 from '@peculiar/x509';
import { certificatesToPem, certificateToPem, parseCertificate, parseCertificates } from '@helmlink/protocol';
import { writeFileAtomic } from '@helmlink/protocol/node';
import type { SealedKeyFile } from '../vault/sealed-key';
import type { KeySpec } from '@helmlink/protocol';

export interface IdentityMeta {
  v: 1;
  entityId: string;
  keySpec: KeySpec;
  caUrl: string | null;
  rootFingerprint: string;
  createdAt: string;
  renewedAt: string | null;
  source: 'enrolled' | 'imported';
}

export interface IdentityFiles {
  meta: IdentityMeta;
  sealed: SealedKeyFile;
  /** Leaf first, then intermediates. */
  chain: x509.X509Certificate[];
  root: x509.X509Certificate;
}

const dirOf = (dataDir: string) => join(dataDir, 'identity');

/** Reads the stored identity, or null when there is none. */
export async function readIdentityFiles(dataDir: string): Promise<IdentityFiles | null> {
  const dir = dirOf(dataDir);
  let metaText: string;
  try {
    metaText = await readFile(join(dir, 'meta.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const meta = JSON.parse(metaText) as IdentityMeta;
  const sealed = JSON.parse(await readFile(join(dir, 'key.json'), 'utf8')) as SealedKeyFile;
  const chain = parseCertificates(await readFile(join(dir, 'chain.pem'), 'utf8'));
  const root = parseCertificate(await readFile(join(dir, 'root.pem'), 'utf8'));
  return { meta, sealed, chain, root };
}

/** Writes every identity file (key first, metadata last, so a crash never leaves metadata without a key). */
export async function writeIdentityFiles(dataDir: string, files: IdentityFiles): Promise<void> {
  const dir = dirOf(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  writeFileAtomic(join(dir, 'key.json'), `${JSON.stringify(files.sealed, null, 2)}\n`);
  writeFileAtomic(join(dir, 'chain.pem'), certificatesToPem(files.chain));
  writeFileAtomic(join(dir, 'root.pem'), certificateToPem(files.root));
  writeFileAtomic(join(dir, 'meta.json'), `${JSON.stringify(files.meta, null, 2)}\n`);
}

/** Deletes the identity files. */
export async function removeIdentityFiles(dataDir: string): Promise<void> {
  await rm(dirOf(dataDir), { recursive: true, force: true });
}
