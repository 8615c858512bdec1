/**
 * Who may sign a CRL (revocation.ts, RFC 5280 6.3.3 (f)) and which refusal is reported when no CRL is usable,
 * each rule against the attack or fault it stands for: a separate CRL signing certificate of the issuer, a signer
 * that is itself revoked, look-alike certificates with the issuer's name placed to exhaust the work budget or to
 * abort the search with a key the validator refuses, a forged delta hiding a revocation, the validity window
 * taken from the wrong CRL, and the wrong refusal reported. CRLs and certificates are forged and signed for real.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HelmlinkError } from '../../src/errors';
import { parseCrlDer } from '../../src/pki/crl-parse';
import { validatePath, type ValidatePathOptions } from '../../src/pki/validate';
import {
  type CrlForgeParams,
  DAY,
  ext,
  forge,
  FORGE_NOW,
  type ForgeParams,
  type Forged,
  forgeCrl,
  forgeLeaf,
  forgeRoot,
  KU_BITS,
  newKeys,
  OIDS,
  serialOf,
} from './forge';
import { rejection } from './helpers';

const NOW = FORGE_NOW.getTime();
let root: Forged;
let leaf: Forged;
let signer: Forged;

/** A separate CRL signing certificate of `root`: the root's name, its own key, cRLSign only, issued by the root. */
const crlSigner = (over: Partial<ForgeParams> = {}): Promise<Forged> =>
  forge({
    subject: root.subject,
    issuer: root,
    ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(KU_BITS.cRLSign) },
    san: null,
    ...over,
  });

beforeAll(async () => {
  root = await forgeRoot('Signer Test Root');
  leaf = await forgeLeaf('leaf', root);
  signer = await crlSigner();
});

const opts = (crls: Uint8Array[], intermediates: Forged[] = [], graceSeconds = 0): ValidatePathOptions => ({
  trustAnchors: [root.certificate],
  intermediates: intermediates.map((c) => c.certificate),
  crls: crls.map(parseCrlDer),
  time: FORGE_NOW,
  purpose: 'any',
  revocation: { mode: 'leaf', staleGraceSeconds: graceSeconds },
  leafKeyUsage: [],
});
const revokes = (f: Forged, reason = 1) => [{ serial: serialOf(f), reason }];
const signedBy = (by: Forged, p: Omit<CrlForgeParams, 'issuer'> = {}) => forgeCrl({ issuer: by, ...p });
const delta = (base: number) => ({
  oid: '2.5.29.27',
  critical: true,
  value: new Uint8Array([0x02, 0x01, base]),
});
const mismatch = (crl: Uint8Array, by: Forged) =>
  `the signature of the CRL of ${parseCrlDer(crl).issuer} does not verify with the key of "${by.certificate.subject}"`;

describe('checkRevocation: a separate CRL signing certificate (RFC 5280 6.3.3 (f))', () => {
  it('decides when its own path validates, its own status read from the very CRL it signed', async () => {
    const clean = await signedBy(signer);
    await expect(validatePath(leaf.certificate, opts([clean], [signer]))).resolves.toBeDefined();
    expect(
      (
        await rejection(
          validatePath(
            leaf.certificate,
            opts([await signedBy(signer, { entries: revokes(leaf) })], [signer]),
          ),
        )
      ).code,
    ).toBe('ERR_CHAIN_REVOKED');
    // Unknown to the validator, the signer vouches for nothing: the issuer's key does not verify the CRL.
    expect(await rejection(validatePath(leaf.certificate, opts([clean])))).toMatchObject({
      code: 'ERR_CRL_INVALID',
      message: mismatch(clean, root),
    });
  });

  it('a signer listed as revoked on the CRL it signs is refused, and the refusal names it (not the issuer key mismatch)', async () => {
    // Attack: a stolen CRL signing key goes on signing "clean" CRLs after the CA revoked its certificate.
    const crl = await signedBy(signer, { entries: revokes(signer) });
    const err = await rejection(validatePath(leaf.certificate, opts([crl], [signer])));
    expect(err.code).toBe('ERR_CRL_INVALID');
    expect(err.message).toBe(
      `the CRL signer "${signer.certificate.subject}" is not valid: ERR_CHAIN_REVOKED: "${signer.certificate.subject}" is revoked (keyCompromise)`,
    );
    expect((err.cause as HelmlinkError).code).toBe('ERR_CHAIN_REVOKED');
  });

  it('a signer without a keyUsage extension may sign CRLs (no restriction asserted), one whose keyUsage lacks cRLSign may not', async () => {
    const unrestricted = await crlSigner({ ku: null });
    await expect(
      validatePath(leaf.certificate, opts([await signedBy(unrestricted)], [unrestricted])),
    ).resolves.toBeDefined();
    const signOnly = await crlSigner({
      ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(KU_BITS.digitalSignature) },
    });
    const crl = await signedBy(signOnly);
    expect(await rejection(validatePath(leaf.certificate, opts([crl], [signOnly])))).toMatchObject({
      code: 'ERR_CRL_INVALID',
      message: mismatch(crl, root),
    });
  });

  it('a look-alike with a key the validator refuses (P-521) is skipped, not allowed to abort the search', async () => {
    // Fault: a look-alike carrying the real signer's key identifier and a refused key, placed first, used to
    // make the whole CRL unusable (ERR_CHAIN_ALG_UNSUPPORTED) although the real signer follows it.
    const p521 = await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, [
      'sign',
      'verify',
    ]);
    const refusedKey = await crlSigner({ keys: p521, ski: { oid: OIDS.ski, value: ext.ski(signer.ski) } });
    const crl = await signedBy(signer, { entries: revokes(leaf) });
    expect((await rejection(validatePath(leaf.certificate, opts([crl], [refusedKey, signer])))).code).toBe(
      'ERR_CHAIN_REVOKED',
    );
  });
});

describe('checkRevocation: CRL signers whose own status comes from CRLs of further signers', () => {
  const uri = (n: number) => [{ uri: `http://crl.test/${n}` }];
  const dp = (n: number) => ({ oid: '2.5.29.31', value: ext.distributionPoints([{ fullName: uri(n) }]) });
  const idp = (n: number) => ({
    oid: '2.5.29.28',
    critical: true,
    value: ext.issuingDistributionPoint({ fullName: uri(n) }),
  });

  /**
   * `length` nested signers: the leaf points at CRL 1, signed by signer 1, whose certificate points at CRL 2,
   * signed by signer 2, and so on; the last signer's certificate points at the CRL it signs itself.
   */
  async function nested(length: number): Promise<unknown> {
    const dpLeaf = await forgeLeaf('leaf with a distribution point', root, { extra: [dp(1)] });
    const signers: Forged[] = [];
    for (let i = 1; i <= length; i++) signers.push(await crlSigner({ extra: [dp(Math.min(i + 1, length))] }));
    const crls = await Promise.all(signers.map((s, i) => signedBy(s, { extra: [idp(i + 1)] })));
    return validatePath(dpLeaf.certificate, opts(crls, signers));
  }

  it('three nested signers are followed; a fourth is past the depth limit (no unbounded recursion)', async () => {
    // Fault: without the limit (or with the depth not growing) a hostile set of CRLs nests signers without end.
    await expect(nested(3)).resolves.toBeDefined();
    expect((await rejection(nested(4))).code).toBe('ERR_CRL_INVALID');
  });
});

describe('checkRevocation: look-alike CRL signers and the work budget', () => {
  let lookAlikes: Forged[];
  beforeAll(async () => {
    // More look-alikes (the root's name, distinct keys, their own key identifiers) than signature checks allowed.
    lookAlikes = await Promise.all(Array.from({ length: 130 }, () => crlSigner()));
  });

  it('the signer named by the CRL key identifier is tried first, wherever it is listed', async () => {
    // Attack: 130 look-alikes listed before the real signer exhaust the budget if tried in the given order.
    const crl = await signedBy(signer);
    await expect(validatePath(leaf.certificate, opts([crl], [...lookAlikes, signer]))).resolves.toBeDefined();
  });

  it('a signer without a key identifier is tried before look-alikes whose identifier contradicts the CRL', async () => {
    const anonymous = await crlSigner({ ski: null });
    const crl = await signedBy(anonymous);
    await expect(
      validatePath(leaf.certificate, opts([crl], [...lookAlikes, anonymous])),
    ).resolves.toBeDefined();
  });

  it('when only look-alikes remain, the search stops at the budget with ERR_CHAIN_TOO_COMPLEX (no endless search)', async () => {
    // The path search reports the spent budget in its own words (path-search.ts), whichever stage spent it.
    const crl = await signedBy(await crlSigner(), { aki: false });
    expect((await rejection(validatePath(leaf.certificate, opts([crl], lookAlikes)))).code).toBe(
      'ERR_CHAIN_TOO_COMPLEX',
    );
  });

  it('the verdict does not depend on what an earlier validation memoised: a spent budget stops the search', async () => {
    // Fault: going on past the spent budget finds signatures memoised by an earlier call, so the same inputs
    // pass or fail depending on what was validated before.
    const unnamed = await crlSigner();
    const crl = parseCrlDer(await signedBy(unnamed, { aki: false }));
    const withCrl = (intermediates: Forged[]) => ({ ...opts([], intermediates), crls: [crl] });
    await expect(validatePath(leaf.certificate, withCrl([unnamed]))).resolves.toBeDefined();
    expect((await rejection(validatePath(leaf.certificate, withCrl([...lookAlikes, unnamed])))).code).toBe(
      'ERR_CHAIN_TOO_COMPLEX',
    );
  });
});

describe('checkRevocation: deltas, the validity window and the reported refusal', () => {
  it('a forged newer delta does not hide the revocation an older usable delta carries', async () => {
    const base = await signedBy(root, { number: 40 });
    const older = await signedBy(root, { number: 41, entries: revokes(leaf), extra: [delta(40)] });
    const forged = await signedBy(root, {
      number: 42,
      extra: [delta(40)],
      signingKey: (await newKeys()).privateKey,
    });
    for (const order of [
      [base, older, forged],
      [forged, older, base],
    ])
      expect((await rejection(validatePath(leaf.certificate, opts(order)))).code).toBe('ERR_CHAIN_REVOKED');
  });

  it('the window is the latest thisUpdate and the earliest nextUpdate, even when the delta is the older CRL', async () => {
    // Fault: a window taken from the last CRL used (the delta) lets a cached path outlive its base CRL.
    const base = await signedBy(root, {
      number: 50,
      thisUpdate: new Date(NOW - 600_000),
      nextUpdate: new Date(NOW + 3_600_000),
    });
    const d = await signedBy(root, {
      number: 51,
      extra: [delta(50)],
      thisUpdate: new Date(NOW - 3_600_000),
      nextUpdate: new Date(NOW + 7_200_000),
    });
    const path = await validatePath(leaf.certificate, opts([base, d]));
    expect(path.validFrom.getTime()).toBe(NOW - 600_000);
    expect(path.validUntil.getTime()).toBe(NOW + 3_600_000);
  });

  it('a profile violation before a refused algorithm before a bad signature, in either order', async () => {
    const forged = await signedBy(root, { signingKey: (await newKeys()).privateKey });
    const profile = await signedBy(root, { numberCritical: true });
    // ecdsa-with-SHA224 (1.2.840.10045.4.3.1) in place of ecdsa-with-SHA256, inside and outside the signed part.
    const sha224 = await signedBy(root);
    for (let i = 0; i + 8 <= sha224.length; i++)
      if ([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02].every((b, j) => sha224[i + j] === b))
        sha224[i + 7] = 1;
    for (const [refused, code] of [
      [profile, 'ERR_CRL_PROFILE'],
      [sha224, 'ERR_CHAIN_ALG_UNSUPPORTED'],
    ] as const) {
      expect((await rejection(validatePath(leaf.certificate, opts([forged, refused])))).code).toBe(code);
      expect((await rejection(validatePath(leaf.certificate, opts([refused, forged])))).code).toBe(code);
    }
    // A profile violation before a refused algorithm, in either order.
    expect((await rejection(validatePath(leaf.certificate, opts([sha224, profile])))).code).toBe(
      'ERR_CRL_PROFILE',
    );
    expect((await rejection(validatePath(leaf.certificate, opts([profile, sha224])))).code).toBe(
      'ERR_CRL_PROFILE',
    );
  });

  it('of equally telling refusals the first CRL given is reported (the report does not drift to a later one)', async () => {
    const stale = (days: number) =>
      signedBy(root, { thisUpdate: new Date(NOW - 10 * DAY), nextUpdate: new Date(NOW - days * DAY) });
    const [a, b] = [await stale(2), await stale(3)];
    const at = (days: number) => new Date(NOW - days * DAY).toISOString();
    expect((await rejection(validatePath(leaf.certificate, opts([a, b])))).details).toEqual({
      nextUpdate: at(2),
    });
    expect((await rejection(validatePath(leaf.certificate, opts([b, a])))).details).toEqual({
      nextUpdate: at(3),
    });
  });
});
