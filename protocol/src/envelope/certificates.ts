/**
 * The signer certificates a verifier validated itself, by their `x5t#S256` thumbprint (RFC 7515 §4.1.8: base64url
 * SHA-256 of the DER). An ack names the vessel's certificate by thumbprint instead of carrying it (`x5c`) to save
 * ~0.9 KB per ack on a satellite link; the console resolves the thumbprint here, against the certificate it took from
 * the vessel's latest verified state token. Nothing is ever fetched: only a verifier writes into a store
 * (`verifyState` with `certificates`, through {@link rememberSigner}), and a resolved certificate is validated again
 * (path, time, revocation) like an `x5c` leaf every time it signs something.
 */
import { HelmlinkError } from '../errors';
import { bytesToBase64Url } from '../pki/pem';

/** How many certificates a store keeps by default (the least recently validated are dropped first). */
export const DEFAULT_SIGNER_CERTIFICATES = 1024;

// The store's writer, kept out of the class's public surface: only verifiers (through rememberSigner) add entries.
let write: (store: SignerCertificates, thumbprint: string, x5c: readonly string[]) => void;

/** Certificates validated by this verifier, by `x5t#S256`. Pass one as `certificates` to verifyState/verifyAck. */
export class SignerCertificates {
  readonly #entries = new Map<string, readonly string[]>();
  readonly #capacity: number;

  static {
    write = (store, thumbprint, x5c) => {
      const entries = store.#entries;
      entries.delete(thumbprint);
      entries.set(thumbprint, x5c);
      if (entries.size > store.#capacity) entries.delete(entries.keys().next().value as string);
    };
  }

  constructor(capacity = DEFAULT_SIGNER_CERTIFICATES) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new TypeError('capacity must be a positive integer');
    this.#capacity = capacity;
  }

  /** Number of certificates held. */
  get size(): number {
    return this.#entries.size;
  }

  /** True when a certificate with this `x5t#S256` was validated here. */
  has(thumbprint: string): boolean {
    return this.#entries.has(thumbprint);
  }

  /**
   * The `x5c` (signer first) of the validated token that carried the certificate named by `thumbprint`.
   * @throws HelmlinkError ERR_JOSE_X5T_UNKNOWN when this verifier never validated it.
   */
  resolve(thumbprint: string): readonly string[] {
    const x5c = this.#entries.get(thumbprint);
    if (!x5c)
      throw new HelmlinkError(
        'ERR_JOSE_X5T_UNKNOWN',
        'x5t#S256 names a certificate this verifier has not validated (it is never fetched)',
        { details: { thumbprint } },
      );
    return x5c;
  }

  /** Forgets every certificate. */
  clear(): void {
    this.#entries.clear();
  }
}

/** The `x5t#S256` of a certificate from its SHA-256 fingerprint in hex (as path validation reports it). */
export function thumbprintOfFingerprint(hex: string): string {
  if (!/^[0-9a-f]{64}$/u.test(hex)) throw new TypeError('a SHA-256 fingerprint is 64 lowercase hex digits');
  const digest = new Uint8Array(32);
  for (let i = 0; i < 32; i++) digest[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytesToBase64Url(digest);
}

/**
 * Records the signer of a token that fully verified: its `x5c` (the chain the verifier validated) under the
 * thumbprint of the validated leaf. Called by verifiers only.
 */
export function rememberSigner(
  store: SignerCertificates,
  x5c: readonly string[],
  leafFingerprint: string,
): void {
  write(store, thumbprintOfFingerprint(leafFingerprint), [...x5c]);
}
