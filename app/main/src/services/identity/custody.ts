/**
 * Key custody: sealing a new key under the chosen protection (OS keychain, passphrase, or both), opening it
 * (unlock), forgetting it (lock) and destroying it (remove). The opened key lives in {@link IdentityContext.open}
 * only.
 */
import 'reflect-metadata';
import { createPrivateKey } from 'node:crypto';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError, importPrivateKey, type KeySpec } from '@helmlink/protocol';
import type { CustodyMode, CustodyOptions, IdentityStatus } from '@helmlink/app-preload';
import { toApiError } from '../core/errors';
import type { Keychain } from '../vault/keychain';
import {
  destroySealedKey,
  needsPassphrase,
  openWithDataKey,
  recoverDataKey,
  sealKey,
} from '../vault/sealed-key';
import { fingerprintOf, profileOf } from './certificate-view';
import { idleRenewal, type IdentityContext, type OpenKey } from './context';
import { removeIdentityFiles, writeIdentityFiles, type IdentityFiles } from './files';
import { sameSpki, spkiOfPkcs8 } from './key-match';

/** Which custody modes are possible here, with the reason when the keychain is not. */
export async function custodyOptions(keychain: Keychain | undefined): Promise<CustodyOptions> {
  const availability = keychain
    ? await keychain.availability()
    : { available: false, backend: null, reason: 'no OS keychain is configured for this console' };
  return { keychain: availability, passphraseOnly: true };
}

/** ERR_KEYCHAIN_UNAVAILABLE when keychain custody is asked for and no keychain can be used, saying why. */
export async function assertCustody(keychain: Keychain | undefined, custody: CustodyMode): Promise<void> {
  if (custody !== 'keychain') return;
  const options = await custodyOptions(keychain);
  if (!options.keychain.available) {
    throw new HelmlinkError(
      'ERR_KEYCHAIN_UNAVAILABLE',
      `the key cannot be stored in the OS keychain: ${options.keychain.reason ?? 'unavailable'}`,
    );
  }
}

/** Turns an opened PKCS#8 key into the signing and TLS keys; ERR_IDENTITY_INVALID when it is not `leaf`'s key. */
export async function materialiseKey(
  pkcs8: Uint8Array,
  dataKey: Buffer,
  spec: KeySpec,
  leaf: x509.X509Certificate,
): Promise<OpenKey> {
  if (!sameSpki(leaf, spkiOfPkcs8(pkcs8)))
    throw new HelmlinkError('ERR_IDENTITY_INVALID', 'the private key does not belong to the certificate');
  const keyObject = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const signingKey = await importPrivateKey(pkcs8, spec.startsWith('rsa-') ? { rsaScheme: 'pss' } : {});
  return { dataKey, keyObject, signingKey };
}

/** Opens the stored key (with the passphrase when it needs one). ERR_KEY_DECRYPT for a wrong passphrase. */
export async function openStoredKey(ctx: IdentityContext, passphrase: string | undefined): Promise<void> {
  const f = ctx.files!;
  const dataKey = await recoverDataKey(f.sealed, { passphrase, keychain: ctx.options.keychain });
  const pkcs8 = openWithDataKey(f.sealed, dataKey);
  ctx.open = await materialiseKey(pkcs8, dataKey, f.meta.keySpec, f.chain[0]!);
  ctx.error = null;
}

/** What a new identity (enrolled or imported) is stored with. */
export interface NewIdentity {
  pkcs8: Uint8Array;
  spec: KeySpec;
  chain: x509.X509Certificate[];
  root: x509.X509Certificate;
  custody: CustodyMode;
  passphrase: string | undefined;
  caUrl: string | null;
  source: 'enrolled' | 'imported';
}

/** Seals the key, writes the identity files and opens the key. A failed write leaves no keychain entry behind. */
export async function storeIdentity(ctx: IdentityContext, p: NewIdentity): Promise<void> {
  const o = ctx.options;
  const { file, dataKey } = await sealKey(p.pkcs8, {
    custody: p.custody,
    ...(p.passphrase ? { passphrase: p.passphrase } : {}),
    ...(o.keychain ? { keychain: o.keychain } : {}),
    ...(o.scrypt ? { scrypt: o.scrypt } : {}),
  });
  const files: IdentityFiles = {
    meta: {
      v: 1,
      entityId: profileOf(p.chain[0]!).entityId ?? p.chain[0]!.subject,
      keySpec: p.spec,
      caUrl: p.caUrl,
      rootFingerprint: fingerprintOf(p.root),
      createdAt: new Date(o.clock()).toISOString(),
      renewedAt: null,
      source: p.source,
    },
    sealed: file,
    chain: p.chain,
    root: p.root,
  };
  try {
    await writeIdentityFiles(o.dataDir, files);
  } catch (err) {
    await destroySealedKey(file, o.keychain).catch(() => undefined);
    throw err;
  }
  ctx.files = files;
  ctx.open = await materialiseKey(p.pkcs8, dataKey, p.spec, p.chain[0]!);
  ctx.error = null;
  ctx.revocation = null;
  ctx.schedule();
}

/** Opens the key with the passphrase. ERR_IDENTITY_MISSING without an identity, ERR_KEY_DECRYPT for a wrong one. */
export async function unlock(ctx: IdentityContext, passphrase: string): Promise<IdentityStatus> {
  if (!ctx.files) throw new HelmlinkError('ERR_IDENTITY_MISSING');
  await openStoredKey(ctx, passphrase);
  return ctx.changed();
}

/** Forgets the opened key when a passphrase protects it (keychain-only custody stays usable). */
export function lock(ctx: IdentityContext): IdentityStatus {
  if (ctx.files && needsPassphrase(ctx.files.sealed)) ctx.open = null;
  return ctx.changed();
}

/** Deletes the identity: keychain entry, files, open key. */
export async function removeIdentity(ctx: IdentityContext): Promise<IdentityStatus> {
  const f = ctx.files;
  const o = ctx.options;
  if (f) {
    try {
      await destroySealedKey(f.sealed, o.keychain);
    } catch (err) {
      o.logger.warn({ code: toApiError(err).code }, 'keychain entry could not be deleted');
    }
    await removeIdentityFiles(o.dataDir);
    o.audit?.('identity.removed', f.meta.entityId);
  }
  ctx.files = null;
  ctx.open = null;
  ctx.error = null;
  ctx.revocation = null;
  ctx.renewal = idleRenewal();
  ctx.schedule();
  return ctx.changed();
}
