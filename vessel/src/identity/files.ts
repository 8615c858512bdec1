/**
 * The vessel's identity on disk, all inside the data dir (mode 0700):
 * `key.pem` (encrypted PKCS#8), `cert.pem` (own certificate then the issuing chain), `root.pem` (the pinned root),
 * `crl.pem` (the latest verified CRLs, PEM `X509 CRL`), `state.jsonl` (stream state + replay cache + acks),
 * `runtime.json` (the running listener's pid and broker connection, for `vessel status`).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as x509 from '@peculiar/x509';
import {
  HelmlinkError,
  certificatesToPem,
  crlToPem,
  decryptPrivateKey,
  encryptPrivateKey,
  importPrivateKey,
  parseCertificates,
  parseCrlsIndexed,
  type CrlInfo,
  type CrlInput,
  pkcs8KeySpec,
  encodePem,
  type KeySpec,
} from '@helmlink/protocol';
import { writeFileAtomic, writeFileAtomicAsync } from '@helmlink/protocol/node';

/** File paths of a vessel's data dir. */
export interface IdentityPaths {
  dir: string;
  key: string;
  cert: string;
  root: string;
  crl: string;
  state: string;
  /** Written by a running listener: its broker connection (read by `vessel status`). */
  runtime: string;
}

/** Paths inside `dataDir`. */
export function identityPaths(dataDir: string): IdentityPaths {
  return {
    dir: dataDir,
    key: join(dataDir, 'key.pem'),
    cert: join(dataDir, 'cert.pem'),
    root: join(dataDir, 'root.pem'),
    crl: join(dataDir, 'crl.pem'),
    state: join(dataDir, 'state.jsonl'),
    runtime: join(dataDir, 'runtime.json'),
  };
}

/** A loaded identity: the signing key in the forms each consumer needs, and the certificate chain. */
export interface VesselIdentity {
  spec: KeySpec;
  /** Key for JWS signing (RSA imported for PSS). */
  signingKey: CryptoKey;
  /** Unencrypted PKCS#8 PEM, in memory only, for the TLS client. */
  tlsKeyPem: string;
  /** Own certificate first, then intermediates. */
  chain: x509.X509Certificate[];
  certificate: x509.X509Certificate;
  root: x509.X509Certificate;
}

/** Builds an identity from decrypted PKCS#8 and the chain. */
export async function identityFromPkcs8(
  pkcs8: Uint8Array,
  chain: x509.X509Certificate[],
  root: x509.X509Certificate,
): Promise<VesselIdentity> {
  const spec = await pkcs8KeySpec(pkcs8);
  const signingKey = await importPrivateKey(pkcs8, { rsaScheme: spec.startsWith('rsa-') ? 'pss' : 'pkcs1' });
  if (chain.length === 0)
    throw new HelmlinkError('ERR_NOT_ENROLLED', 'the certificate file holds no certificate');
  return {
    spec,
    signingKey,
    tlsKeyPem: encodePem('PRIVATE KEY', pkcs8),
    chain,
    certificate: chain[0]!,
    root,
  };
}

/**
 * Loads key (decrypted with `passphrase`), certificate chain and pinned root from the data dir.
 * @throws HelmlinkError ERR_NOT_ENROLLED when a file is missing; ERR_KEY_DECRYPT for a wrong passphrase.
 */
export async function loadIdentity(dataDir: string, passphrase: string): Promise<VesselIdentity> {
  const p = identityPaths(dataDir);
  await recoverSwap(p);
  const read = async (path: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (cause) {
      throw new HelmlinkError('ERR_NOT_ENROLLED', `${path} is missing: run helmlink vessel enroll`, {
        cause,
      });
    }
  };
  const [keyPem, certPem, rootPem] = await Promise.all([read(p.key), read(p.cert), read(p.root)]);
  const pkcs8 = await decryptPrivateKey(keyPem, passphrase);
  const root = parseCertificates(rootPem)[0];
  if (!root) throw new HelmlinkError('ERR_NOT_ENROLLED', `${p.root} holds no certificate`);
  return identityFromPkcs8(pkcs8, parseCertificates(certPem), root);
}

/**
 * Completes or undoes a key/certificate swap a crash interrupted (see saveIdentity): with `key.pem.next` still
 * present the swap never started, so both `.next` files are dropped; with only `cert.pem.next` left the new key is
 * already in place and its certificate is moved in.
 */
async function recoverSwap(p: IdentityPaths): Promise<void> {
  const keyNext = `${p.key}.next`;
  const certNext = `${p.cert}.next`;
  if (existsSync(keyNext)) {
    await rm(keyNext, { force: true });
    await rm(certNext, { force: true });
  } else if (existsSync(certNext)) {
    await rename(certNext, p.cert);
  }
}

/** Reads the cached CRLs (empty when none are cached yet). */
export async function loadCachedCrls(dataDir: string): Promise<CrlInfo[]> {
  try {
    return parseCrlsIndexed(await readFile(identityPaths(dataDir).crl, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The CRL cache writes in progress per file: one after the other, so an older list never lands last. */
const crlWrites = new Map<string, Promise<void>>();

/** Writes the CRL cache (durably, off the event loop; writes to one data dir are serialised). */
export async function saveCrls(dataDir: string, crls: readonly CrlInput[]): Promise<void> {
  const path = identityPaths(dataDir).crl;
  const text = crls.map((c) => crlToPem(c)).join('');
  const previous = crlWrites.get(path) ?? Promise.resolve();
  const write = previous.catch(() => undefined).then(() => writeFileAtomicAsync(path, text, { mode: 0o644 }));
  crlWrites.set(path, write);
  try {
    await write;
  } finally {
    if (crlWrites.get(path) === write) crlWrites.delete(path);
  }
}

/** Writes key (encrypted), chain and root. The key goes last so a half-written enrollment is never "enrolled". */
export async function saveIdentity(
  dataDir: string,
  files: {
    pkcs8: Uint8Array;
    passphrase: string;
    chain: readonly x509.X509Certificate[];
    root?: x509.X509Certificate;
  },
): Promise<void> {
  const p = identityPaths(dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (files.root) writeFileAtomic(p.root, certificatesToPem([files.root]), { mode: 0o644 });
  const keyPem = await encryptPrivateKey(files.pkcs8, files.passphrase);
  // Key and certificate must change together: write both temp files first, then rename key, then certificate.
  writeFileAtomic(`${p.key}.next`, keyPem, { mode: 0o600 });
  writeFileAtomic(`${p.cert}.next`, certificatesToPem(files.chain), { mode: 0o644 });
  await rename(`${p.key}.next`, p.key);
  await rename(`${p.cert}.next`, p.cert);
}
