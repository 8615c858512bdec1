/**
 * Signature checks of certificates and CRLs, memoised and counted against the work budget. A result is kept per
 * (signed object, issuer public key): look-alike issuer certificates carrying the same key cost one verification,
 * not one each.
 */
import { HelmlinkError, isHelmlinkError } from '../errors';
import { PublicKeyHandle, signatureScheme, type SignatureScheme } from './algorithms';
import { describe, fail, spend, type WorkBudget } from './context';
import type { CrlInfo } from './crl';
import { type CertInfo, keyIdRank } from './extensions';

const keyHandles = new WeakMap<CertInfo, PublicKeyHandle | HelmlinkError>();
const results = new WeakMap<object, Map<string, Promise<boolean>>>();

/** The accepted public key of a certificate (cached), or ERR_CHAIN_ALG_UNSUPPORTED. */
export function keyHandle(info: CertInfo): PublicKeyHandle {
  let handle = keyHandles.get(info);
  if (!handle) {
    try {
      handle = new PublicKeyHandle(info.asn.tbsCertificate.subjectPublicKeyInfo);
    } catch (err) {
      if (!(err instanceof HelmlinkError)) throw err;
      handle = err;
    }
    keyHandles.set(info, handle);
  }
  if (handle instanceof HelmlinkError) throw handle;
  return handle;
}

/** Re-raises a key or algorithm error as a coded error naming `info`. */
export function named(info: CertInfo, what: string, run: () => void): void {
  try {
    run();
  } catch (err) {
    if (isHelmlinkError(err))
      throw fail(err.code, `${what}${describe(info)}: ${err.message}`, info, err.details);
    throw err;
  }
}

/**
 * True when `signature` over `tbs` verifies with `signer`'s key; memoised per (signed object, signer key).
 * A verification not yet memoised costs one unit of the signature budget; with none left, resolves to
 * undefined (the budget is marked exhausted).
 */
export function verifiedBy(
  signed: object,
  signer: CertInfo,
  scheme: SignatureScheme,
  tbs: Uint8Array,
  signature: Uint8Array,
  budget: WorkBudget,
): Promise<boolean> | undefined {
  let byKey = results.get(signed);
  if (!byKey) {
    byKey = new Map();
    results.set(signed, byKey);
  }
  const memoKey = `${signer.spkiKey}/${JSON.stringify(scheme)}`;
  let result = byKey.get(memoKey);
  if (!result) {
    if (!spend(budget, 'signatures')) return undefined;
    result = keyHandle(signer).verify(scheme, tbs, signature);
    byKey.set(memoKey, result);
  }
  return result;
}

/**
 * Checks that `cert` was signed by `issuer` (RFC 5280 6.1.3 (a)(1)): the outer and inner algorithm identifiers are
 * identical (4.1.1.2), the algorithm and the issuer's key are accepted, and the signature over the exact TBS
 * bytes verifies. Resolves to undefined when it does, to the coded error otherwise (ERR_CHAIN_SIGNATURE,
 * ERR_CHAIN_ALG_UNSUPPORTED, or ERR_CHAIN_UNTRUSTED when the key identifiers already said `issuer` is another
 * CA), or to 'budget' when the signature budget is spent.
 */
export async function certSignatureError(
  cert: CertInfo,
  issuer: CertInfo,
  budget: WorkBudget,
): Promise<HelmlinkError | 'budget' | undefined> {
  const a = cert.innerAlgorithm;
  const b = cert.outerAlgorithm;
  if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
    return fail(
      'ERR_CHAIN_SIGNATURE',
      `the signature algorithm of ${describe(cert)} differs from the one inside its signed part`,
      cert,
    );
  }
  let scheme: SignatureScheme | undefined;
  try {
    named(cert, '', () => {
      scheme = signatureScheme(cert.asn.signatureAlgorithm);
    });
    named(issuer, 'issuer ', () => keyHandle(issuer));
  } catch (err) {
    if (isHelmlinkError(err)) return err;
    throw err;
  }
  const pending = verifiedBy(
    cert,
    issuer,
    scheme!,
    cert.tbs,
    new Uint8Array(cert.asn.signatureValue),
    budget,
  );
  if (pending === undefined) return 'budget';
  if (await pending) return undefined;
  // A contradicting key identifier means this candidate simply is not the issuer: no path, not a forgery.
  if (keyIdRank(cert, issuer) === 2)
    return fail('ERR_CHAIN_UNTRUSTED', `${describe(cert)} was not issued by ${describe(issuer)}`, cert);
  return fail(
    'ERR_CHAIN_SIGNATURE',
    `the signature of ${describe(cert)} does not verify with the key of ${describe(issuer)}`,
    cert,
  );
}

/** True when the CRL's signature verifies with `signer`'s key; undefined when the budget is spent. */
export function crlVerifiedBy(
  crl: CrlInfo,
  signer: CertInfo,
  scheme: SignatureScheme,
  budget: WorkBudget,
): Promise<boolean> | undefined {
  return verifiedBy(crl, signer, scheme, crl.tbs, crl.signature, budget);
}
