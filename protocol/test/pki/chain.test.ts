/**
 * Bounded path building (chain.ts, context.ts WORK_LIMITS): pools of ~100 intermediates with one subject, with
 * one key or distinct keys, end in ERR_CHAIN_TOO_COMPLEX after a bounded amount of work (npm run bench:pki
 * shows the time), and a genuine path hidden among look-alikes is still found.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORK_LIMITS } from '../../src/pki/context';
import { validatePath, type ValidatePathOptions } from '../../src/pki/validate';
import { caExtensions, ext, FORGE_NOW, type Forged, forgeCa, forgeLeaf, forgeRingPool, forgeRoot, forgeSameKeyPool, OIDS } from './forge';
import { rejection } from './helpers';

const POOL = 100;
let root: Forged;

function opts(intermediates: Forged[]): ValidatePathOptions {
  return {
    trustAnchors: [root.certificate],
    intermediates: intermediates.map((c) => c.certificate),
    time: FORGE_NOW,
    purpose: 'any',
    revocation: { mode: 'off' },
    leafKeyUsage: [],
  };
}

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
    const holders = await Promise.all(Array.from({ length: n }, () => forgeCa('Mesh CA', root, caExtensions(0))));
    const mesh: Forged[] = [...holders];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) mesh.push(await forgeCa('Mesh CA', holders[j]!, { keys: holders[i]!.keys, ...caExtensions(0) }));
    const leaf = await forgeLeaf('leaf', holders[0]!, { aki: null });
    expect((await rejection(validatePath(leaf.certificate, opts(mesh)))).code).toBe('ERR_CHAIN_TOO_COMPLEX');
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
});
