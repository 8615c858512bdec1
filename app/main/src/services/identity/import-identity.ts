/**
 * Import of an existing identity: a PKCS#12 file, or an encrypted PKCS#8 PEM key with its certificate chain. The
 * key must belong to a certificate of the file, and that certificate must chain to the root: the pinned one (from
 * the file or the CA) when a fingerprint is given, else the file's only self-signed certificate.
 */
import 'reflect-metadata';
import type * as x509 from '@peculiar/x509';
import {
  HelmlinkError,
  decodePem,
  normalizeFingerprint,
  parseCertificates,
  pkcs8KeySpec,
} from '@helmlink/protocol';
import type { IdentityStatus, importRequestSchema } from '@helmlink/app-preload';
import type { z } from 'zod';
import { consoleCaClient, fetchPinnedRoot } from '../ca/console-ca';
import { fingerprintOf, profileOf } from './certificate-view';
import { checkOwnChain } from './chain-check';
import type { IdentityContext } from './context';
import { assertCustody, storeIdentity } from './custody';
import { sameSpki, spkiOfPkcs8 } from './key-match';
import { decryptEncryptedPkcs8, parsePkcs12 } from './pkcs12';

export type ImportRequest = z.output<typeof importRequestSchema>;

/** Imports an identity. ERR_IDENTITY_EXISTS, ERR_IMPORT_INVALID, ERR_KEY_DECRYPT, ERR_IDENTITY_INVALID, … */
export async function importIdentity(ctx: IdentityContext, req: ImportRequest): Promise<IdentityStatus> {
  if (ctx.files) throw new HelmlinkError('ERR_IDENTITY_EXISTS');
  const o = ctx.options;
  await assertCustody(o.keychain, req.custody);
  const { pkcs8, certs } = await readImportFile(req);
  const spec = await pkcs8KeySpec(pkcs8);
  const spki = spkiOfPkcs8(pkcs8);
  const leaf = certs.find((c) => sameSpki(c, spki));
  if (!leaf)
    throw new HelmlinkError('ERR_IDENTITY_INVALID', 'no certificate in the file belongs to the private key');
  const { root, caChain } = await findRoot(ctx, req, certs, leaf);
  const chain = await checkOwnChain(leaf, [...certs, ...caChain], root, new Date(o.clock()));
  if (!profileOf(leaf).entityId)
    throw new HelmlinkError('ERR_CERT_PROFILE', 'the certificate does not follow the Helmlink profile');
  await storeIdentity(ctx, {
    pkcs8,
    spec,
    chain,
    root,
    custody: req.custody,
    passphrase: req.passphrase,
    caUrl: req.caUrl ?? null,
    source: 'imported',
  });
  o.settings.update({
    ...(req.caUrl ? { caUrl: req.caUrl } : {}),
    rootFingerprint: fingerprintOf(root),
  });
  o.audit?.('identity.imported', ctx.files!.meta.entityId);
  return ctx.changed();
}

/** The private key and the certificates of the import file. */
async function readImportFile(
  req: ImportRequest,
): Promise<{ pkcs8: Uint8Array; certs: x509.X509Certificate[] }> {
  if (req.format === 'pkcs12') {
    const { pkcs8, certificates } = await parsePkcs12(
      new Uint8Array(Buffer.from(req.fileBase64, 'base64')),
      req.filePassphrase,
    );
    return { pkcs8, certs: certificates };
  }
  const block = decodePem(req.keyPem).find((b) => b.label === 'ENCRYPTED PRIVATE KEY');
  if (!block)
    throw new HelmlinkError(
      'ERR_IMPORT_INVALID',
      'the key must be a passphrase-protected PKCS#8 PEM (BEGIN ENCRYPTED PRIVATE KEY)',
    );
  const pkcs8 = await decryptEncryptedPkcs8(block.der, req.filePassphrase);
  try {
    return { pkcs8, certs: parseCertificates(req.chainPem) };
  } catch (cause) {
    throw new HelmlinkError('ERR_IMPORT_INVALID', 'the certificate chain cannot be parsed', { cause });
  }
}

/** The trust anchor of the imported chain, and the CA's chain when the root had to be fetched from the CA. */
async function findRoot(
  ctx: IdentityContext,
  req: ImportRequest,
  certs: x509.X509Certificate[],
  leaf: x509.X509Certificate,
): Promise<{ root: x509.X509Certificate; caChain: x509.X509Certificate[] }> {
  if (req.rootFingerprint) {
    const pin = normalizeFingerprint(req.rootFingerprint);
    const inFile = certs.find((c) => fingerprintOf(c) === pin);
    if (inFile) return { root: inFile, caChain: [] };
    if (req.caUrl) {
      const { root, chain } = await fetchPinnedRoot(
        consoleCaClient({ url: req.caUrl, pin, timeoutMs: ctx.options.caTimeoutMs }),
      );
      return { root, caChain: chain };
    }
    throw new HelmlinkError(
      'ERR_CA_PIN_MISMATCH',
      'the pinned root is neither in the file nor available from the CA',
    );
  }
  const selfSigned = [];
  for (const c of certs) if (c !== leaf && (await c.isSelfSigned())) selfSigned.push(c);
  if (selfSigned.length !== 1) {
    throw new HelmlinkError(
      'ERR_IMPORT_INVALID',
      'the chain must include its root certificate, or give the CA URL and root fingerprint',
    );
  }
  return { root: selfSigned[0]!, caChain: [] };
}
