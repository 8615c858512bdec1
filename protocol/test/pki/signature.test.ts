/**
 * Certificate signature checks (signature.ts): the inner/outer algorithm match, refused algorithms and keys named
 * with the certificate they belong to, the verdicts' messages, and the memo and budget of verifications.
 */
import '../../src/reflect';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { HelmlinkError } from '../../src/errors';
import { newBudget } from '../../src/pki/context';
import { certInfo, type CertInfo } from '../../src/pki/extensions';
import { certSignatureError, verifiedBy } from '../../src/pki/signature';
import { ECDSA_SHA384, type Forged, forgeLeaf, forgeRoot } from './forge';
import { tamper } from './helpers';

let root: Forged;
let leaf: Forged;

beforeAll(async () => {
  root = await forgeRoot('Signature Root');
  leaf = await forgeLeaf('signed leaf', root);
});

/** The DER of `f` with every occurrence of the TLV `from` replaced by `to` (same length). */
function patched(f: Forged, from: string, to: string): CertInfo {
  const hex = Buffer.from(f.der).toString('hex');
  expect(hex).toContain(from);
  return certInfo(new x509.X509Certificate(Buffer.from(hex.replaceAll(from, to), 'hex')));
}

/** A CertInfo of its own (nothing memoised yet for it). */
const fresh = (f: Forged): CertInfo => certInfo(new x509.X509Certificate(f.der.slice().buffer));

async function verdict(cert: CertInfo, issuer: CertInfo) {
  const r = await certSignatureError(cert, issuer, newBudget());
  if (!(r instanceof HelmlinkError)) throw new Error(`not a coded error: ${String(r)}`);
  return { code: r.code, message: r.message };
}

describe('certSignatureError', () => {
  it('a genuine signature verifies', async () => {
    expect(
      await certSignatureError(certInfo(leaf.certificate), certInfo(root.certificate), newBudget()),
    ).toBe(undefined);
  });

  it('algorithm substitution: an outer signatureAlgorithm that differs from the signed inner one is refused', async () => {
    const swapped = await forgeLeaf('swapped leaf', root, { tbsAlgorithm: ECDSA_SHA384 });
    expect(await verdict(certInfo(swapped.certificate), certInfo(root.certificate))).toEqual({
      code: 'ERR_CHAIN_SIGNATURE',
      message: `the signature algorithm of "${swapped.certificate.subject}" differs from the one inside its signed part`,
    });
  });

  it('a refused signature algorithm (ecdsa-with-SHA224, inside and out) is named with its certificate', async () => {
    const sha224 = patched(leaf, '06082a8648ce3d040302', '06082a8648ce3d040301');
    expect(await verdict(sha224, certInfo(root.certificate))).toEqual({
      code: 'ERR_CHAIN_ALG_UNSUPPORTED',
      message: `"${leaf.certificate.subject}": signature algorithm 1.2.840.10045.4.3.1 is not accepted`,
    });
  });

  it('an issuer with a refused key (a curve outside P-256/P-384) is named as the issuer', async () => {
    const badCurve = patched(root, '06082a8648ce3d030107', '06082a8648ce3d030106');
    expect(await verdict(certInfo(leaf.certificate), badCurve)).toEqual({
      code: 'ERR_CHAIN_ALG_UNSUPPORTED',
      message: `issuer "${root.certificate.subject}": elliptic curve of key 1.2.840.10045.2.1 is not accepted`,
    });
  });

  it('a forged signature names both certificates; a candidate whose key identifier contradicts is just not the issuer', async () => {
    expect(await verdict(certInfo(tamper(leaf.certificate)), certInfo(root.certificate))).toEqual({
      code: 'ERR_CHAIN_SIGNATURE',
      message: `the signature of "${leaf.certificate.subject}" does not verify with the key of "${root.certificate.subject}"`,
    });
    const lookAlike = await forgeRoot('Signature Root');
    expect(await verdict(certInfo(leaf.certificate), certInfo(lookAlike.certificate))).toEqual({
      code: 'ERR_CHAIN_UNTRUSTED',
      message: `"${leaf.certificate.subject}" was not issued by "${lookAlike.certificate.subject}"`,
    });
  });

  it('with the signature budget spent, reports "budget" instead of a verdict', async () => {
    const budget = { ...newBudget(), signatures: 0 };
    expect(await certSignatureError(fresh(leaf), fresh(root), budget)).toBe('budget');
    expect(budget.exhausted).toBe(true);
  });
});

describe('verifiedBy', () => {
  it('a (signed object, signer key) pair costs one verification: a repeat is answered from the memo', async () => {
    // Fault: hostile input repeating one pair would otherwise drain the signature budget.
    const cert = fresh(leaf);
    const issuer = fresh(root);
    const sameKey = fresh(root);
    const budget = { ...newBudget(), signatures: 1 };
    const scheme = { kind: 'ecdsa', hash: 'SHA-256' } as const;
    const sig = new Uint8Array(cert.asn.signatureValue);
    const first = verifiedBy(cert, issuer, scheme, cert.tbs, sig, budget);
    expect(budget.signatures).toBe(0);
    expect(verifiedBy(cert, sameKey, scheme, cert.tbs, sig, budget)).toBe(first);
    expect(await first).toBe(true);
    expect(budget.exhausted).toBe(false);
    // Another signed object by the same key is a new verification, refused with the budget spent.
    const other = fresh(root);
    expect(verifiedBy(other, issuer, scheme, other.tbs, sig, budget)).toBeUndefined();
    expect(budget.exhausted).toBe(true);
  });
});
