/**
 * Bounded path building (chain.ts, context.ts WORK_LIMITS): pools of ~100 intermediates with one subject, with
 * one key or distinct keys, end in ERR_CHAIN_TOO_COMPLEX after a bounded amount of work (npm run bench:pki
 * shows the time), and a genuine path hidden among look-alikes is still found.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORK_LIMITS } from '../../src/pki/context';
import { validatePath, type ValidatePathOptions } from '../../src/pki/validate';
import {
  caExtensions,
  DAY,
  ext,
  FORGE_NOW,
  type Forged,
  forge,
  forgeCa,
  forgedPathOptions,
  forgeLeaf,
  forgeRingPool,
  forgeRoot,
  forgeSameKeyPool,
  newKeys,
  OIDS,
} from './forge';
import { rejection } from './helpers';

const POOL = 100;
let root: Forged;

const opts = (intermediates: Forged[], over: Partial<ValidatePathOptions> = {}): ValidatePathOptions =>
  forgedPathOptions([root], intermediates, over);

beforeAll(async () => {
  root = await forgeRoot('Budget Root');
});

describe('bounded path building', () => {
  it('the limits are the documented ones', () => {
    expect(WORK_LIMITS).toEqual({ candidates: 1024, signatures: 128, paths: 128 });
  });

  it(`${POOL} self-issued look-alikes sharing one key: a name and key repeats nowhere in a path (ERR_CHAIN_UNTRUSTED)`, async () => {
    const { pool, leaf } = await forgeSameKeyPool(POOL);
    const r = await rejection(validatePath(leaf.certificate, opts(pool)));
    expect(r.code).toBe('ERR_CHAIN_UNTRUSTED');
    expect(r.details.subject).toBe(leaf.certificate.subject);
  });

  it(`${POOL} look-alikes with distinct keys certifying each other in a ring: ERR_CHAIN_TOO_COMPLEX`, async () => {
    const { pool, leaf } = await forgeRingPool(POOL);
    const r = await rejection(validatePath(leaf.certificate, opts(pool)));
    expect(r.code).toBe('ERR_CHAIN_TOO_COMPLEX');
    expect(r.message).toContain('work budget');
  });

  it('the budget also ends a search that keeps reaching the anchor through failing paths', async () => {
    // 12 same-name CAs with distinct keys, each certified by the anchor and by every other: paths in any order
    // reach the anchor, and every one fails (the leaf lacks an authority key identifier, 4.2.1.1).
    const n = 12;
    const holders = await Promise.all(
      Array.from({ length: n }, () => forgeCa('Mesh CA', root, caExtensions(0))),
    );
    const mesh: Forged[] = [...holders];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        if (i !== j)
          mesh.push(await forgeCa('Mesh CA', holders[j]!, { keys: holders[i]!.keys, ...caExtensions(0) }));
    const leaf = await forgeLeaf('leaf', holders[0]!, { aki: null });
    expect((await rejection(validatePath(leaf.certificate, opts(mesh)))).code).toBe('ERR_CHAIN_TOO_COMPLEX');
  });

  it('look-alikes sharing keys across two names: the candidate budget ends the search (ERR_CHAIN_TOO_COMPLEX)', async () => {
    // A_i (subject A, issuer B, key kA) and B_j (subject B, issuer A, key kB): every A_i is certified by every
    // B_j's key, so each of the n A's has n B's to try, at no new signature cost; loop detection stops depth 3.
    const n = 40;
    const [kA, kB] = [await newKeys(), await newKeys()];
    const a0 = await forge({ subject: [['CN', 'A']], keys: kA, ...caExtensions(), san: null });
    const b0 = await forge({ subject: [['CN', 'B']], keys: kB, ...caExtensions(), san: null });
    const pool: Forged[] = [];
    for (let i = 0; i < n; i++) {
      pool.push(await forge({ subject: [['CN', 'A']], issuer: b0, keys: kA, ...caExtensions(), san: null }));
      pool.push(await forge({ subject: [['CN', 'B']], issuer: a0, keys: kB, ...caExtensions(), san: null }));
    }
    const leaf = await forgeLeaf('leaf', a0);
    expect((await rejection(validatePath(leaf.certificate, opts(pool)))).code).toBe('ERR_CHAIN_TOO_COMPLEX');
  });

  it('paths are at most maxDepth certificates below the anchor (default 8)', async () => {
    const cas: Forged[] = [];
    let issuer = root;
    for (let i = 0; i < 8; i++) cas.push((issuer = await forgeCa(`depth ${i}`, issuer)));
    const leaf = await forgeLeaf('leaf', issuer);
    expect((await rejection(validatePath(leaf.certificate, opts(cas)))).code).toBe('ERR_CHAIN_UNTRUSTED');
    await expect(validatePath(leaf.certificate, opts(cas, { maxDepth: 9 }))).resolves.toBeDefined();
    const short = await forgeLeaf('leaf', cas[1]!);
    await expect(validatePath(short.certificate, opts(cas))).resolves.toBeDefined();
    expect((await rejection(validatePath(short.certificate, opts(cas, { maxDepth: 2 })))).code).toBe(
      'ERR_CHAIN_UNTRUSTED',
    );
  });

  it('finds the genuine issuer among look-alikes with its name and distinct keys', async () => {
    const real = await forgeCa('Issuing CA', root);
    const decoys: Forged[] = [];
    for (let i = 0; i < POOL; i++) decoys.push(await forgeCa('Issuing CA', root));
    const leaf = await forgeLeaf('leaf', real);
    const path = await validatePath(leaf.certificate, opts([...decoys, real]));
    expect(path.chain[1]).toBe(real.certificate);
    // Without the genuine issuer every candidate is checked once and the verdict is coded, not a hang.
    expect((await rejection(validatePath(leaf.certificate, opts(decoys)))).code).toBe('ERR_CHAIN_UNTRUSTED');
  });

  it('a leaf whose signature matches no candidate: ERR_CHAIN_SIGNATURE from the candidate its AKI names', async () => {
    const ica = await forgeCa('Signer CA', root);
    const leaf = await forgeLeaf('leaf', ica, { aki: { oid: OIDS.aki, value: ext.aki(ica.ski) } });
    const tampered = new Uint8Array(leaf.der);
    tampered[tampered.length - 3]! ^= 1;
    const { parseCertificates } = await import('../../src/pki/pem');
    const r = await rejection(validatePath(parseCertificates(tampered)[0]!, opts([ica])));
    expect(r.code).toBe('ERR_CHAIN_SIGNATURE');
  });

  it('the same intermediate listed 200 times is one candidate (attack: padding the chain to exhaust the budget)', async () => {
    const notCa = await forgeCa('Padded CA', root, {
      bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(false) },
      ku: null,
    });
    const leaf = await forgeLeaf('leaf', notCa);
    const r = await rejection(validatePath(leaf.certificate, opts(new Array<Forged>(200).fill(notCa))));
    expect(r.code).toBe('ERR_CHAIN_BASIC_CONSTRAINTS');
  });

  it('candidates whose key identifier matches the AKI are tried first: the issuer behind 130 look-alikes is found', async () => {
    const decoys = await Promise.all(Array.from({ length: 130 }, () => forgeCa('Crowded CA', root)));
    const real = await forgeCa('Crowded CA', root);
    const leaf = await forgeLeaf('leaf', real);
    const path = await validatePath(leaf.certificate, opts([...decoys, real]));
    expect(path.chain[1]).toBe(real.certificate);
  });

  it('a second anchor with the same name and key is tried when the first fails its checks', async () => {
    const keys = await newKeys();
    const expired = await forgeRoot('Twin Root', {
      keys,
      notBefore: new Date(FORGE_NOW.getTime() - 10 * DAY),
      notAfter: new Date(FORGE_NOW.getTime() - DAY),
    });
    const valid = await forgeRoot('Twin Root', { keys });
    const leaf = await forgeLeaf('leaf', valid);
    const path = await validatePath(leaf.certificate, forgedPathOptions([expired, valid]));
    expect(path.anchor).toBe(valid.certificate);
  });

  it('1,100 look-alike anchors sharing one wrong key: the candidate budget ends the search (no signature is spent twice)', async () => {
    const keys = await newKeys();
    const anchors = await Promise.all(Array.from({ length: 1100 }, () => forgeRoot('Budget Root', { keys })));
    const leaf = await forgeLeaf('leaf', root);
    const r = await rejection(validatePath(leaf.certificate, forgedPathOptions(anchors)));
    expect(r.code).toBe('ERR_CHAIN_TOO_COMPLEX');
  });

  it('once the budget is spent no further anchor is tried, even one whose signature was already verified', async () => {
    const keys = await newKeys();
    const otherSki = { oid: OIDS.ski, value: ext.ski(new Uint8Array(20).fill(9)) };
    const expired = await forgeRoot('Spent Root', {
      keys,
      ski: otherSki,
      notBefore: new Date(FORGE_NOW.getTime() - 10 * DAY),
      notAfter: new Date(FORGE_NOW.getTime() - DAY),
    });
    const decoys = await Promise.all(
      Array.from({ length: 130 }, () => forgeRoot('Spent Root', { ski: otherSki })),
    );
    const valid = await forgeRoot('Spent Root', { keys, ski: otherSki });
    const leaf = await forgeLeaf('leaf', valid);
    const r = await rejection(validatePath(leaf.certificate, forgedPathOptions([expired, ...decoys, valid])));
    expect(r.code).toBe('ERR_CHAIN_TOO_COMPLEX');
  });

  it("a name and key never repeat in a path, the leaf's included (RFC 4158 loop detection)", async () => {
    // A self-signed end entity whose name and key are also certified as a CA under the anchor: the path
    // leaf → that CA → anchor would hold the same name and key twice.
    const keys = await newKeys();
    const selfSigned = await forge({ subject: [['CN', 'Loop']], keys });
    const sameNameAndKey = await forgeCa('Loop', root, { keys });
    const r = await rejection(validatePath(selfSigned.certificate, opts([sameNameAndKey])));
    expect(r.code).toBe('ERR_CHAIN_UNTRUSTED');
    // Under another name the same key forms a path.
    const other = await forgeCa('Not Loop', root, { keys });
    const leaf = await forgeLeaf('leaf', other);
    await expect(validatePath(leaf.certificate, opts([other]))).resolves.toBeDefined();
  });
});
