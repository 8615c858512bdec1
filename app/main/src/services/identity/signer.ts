/** The console signer: what the command channel and the CA clients sign and authenticate with. */
import 'reflect-metadata';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError, certificatesToPem, jwsAlgForSpec, type JwsAlgorithm } from '@helmlink/protocol';
import type { ClientTls } from '../ca/console-ca';
import { needsPassphrase } from '../vault/sealed-key';
import { profileOf } from './certificate-view';
import type { IdentityContext } from './context';
import { openStoredKey } from './custody';

/** What the command channel and the CA clients get to sign and authenticate with. */
export interface ConsoleSigner {
  entityId: string;
  roles: string[];
  alg: JwsAlgorithm;
  /** Signing key for JWS (RSA keys imported for PS256). */
  privateKey: CryptoKey;
  /** Leaf first, then intermediates (what goes into x5c). */
  chain: x509.X509Certificate[];
  root: x509.X509Certificate;
  /** PEM key and certificate chain for mutual TLS (main process memory only). */
  tls(): ClientTls;
}

/**
 * The signer for commands and mutual TLS, opening a keychain-only key on first use. ERR_IDENTITY_MISSING without
 * an identity, ERR_CHAIN_EXPIRED when the certificate expired, ERR_IDENTITY_LOCKED when the passphrase has not been
 * entered.
 */
export async function consoleSigner(ctx: IdentityContext): Promise<ConsoleSigner> {
  const f = ctx.files;
  if (!f) throw new HelmlinkError('ERR_IDENTITY_MISSING');
  const leaf = f.chain[0]!;
  if (ctx.options.clock() > leaf.notAfter.getTime())
    throw new HelmlinkError('ERR_CHAIN_EXPIRED', 'the console certificate has expired: enroll again');
  if (!ctx.open) {
    if (needsPassphrase(f.sealed)) throw new HelmlinkError('ERR_IDENTITY_LOCKED');
    await openStoredKey(ctx, undefined);
  }
  const open = ctx.open!;
  const { roles } = profileOf(leaf);
  const chain = f.chain;
  return {
    entityId: f.meta.entityId,
    roles,
    alg: jwsAlgForSpec(f.meta.keySpec),
    privateKey: open.signingKey,
    chain,
    root: f.root,
    tls: () => ({
      key: open.keyObject.export({ format: 'pem', type: 'pkcs8' }).toString(),
      cert: certificatesToPem(chain),
    }),
  };
}
