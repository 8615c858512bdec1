/**
 * The search over candidate paths (path-search.ts): which error a failed search reports. A path that reached an
 * anchor and failed a check says why; a search with no path at all says untrusted, or name mismatch when the
 * leaf's authority key identifier names a known key under another name; a search cut short says too complex.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import { IssuerIndex, rawId } from '../../src/pki/chain';
import { type Ctx, newBudget, wholeSeconds } from '../../src/pki/context';
import { certInfo } from '../../src/pki/extensions';
import { validateFrom } from '../../src/pki/path-search';
import { validatePath } from '../../src/pki/validate';
import {
  caExtensions,
  ext,
  type Forged,
  forgeCa,
  forgedPathOptions,
  forgeLeaf,
  forgeRingPool,
  forgeRoot,
  FORGE_NOW,
  OIDS,
} from './forge';
import { rejection } from './helpers';

let root: Forged;
beforeAll(async () => {
  root = await forgeRoot('Search Root');
});

const verdict = async (leaf: Forged, anchors: Forged[], intermediates: Forged[] = []) => {
  const r = await rejection(validatePath(leaf.certificate, forgedPathOptions(anchors, intermediates)));
  return { code: r.code, message: r.message, subject: r.details.subject };
};

describe('the error of a failed search', () => {
  it('no path to an anchor: ERR_CHAIN_UNTRUSTED names the leaf', async () => {
    const stranger = await forgeRoot('Stranger Root');
    const leaf = await forgeLeaf('leaf', stranger);
    expect(await verdict(leaf, [root])).toEqual({
      code: 'ERR_CHAIN_UNTRUSTED',
      message: 'no path leads from "CN=leaf" to a trust anchor',
      subject: 'CN=leaf',
    });
    // Without an authority key identifier nothing can be said about a renamed issuer.
    const noAki = await forgeLeaf('leaf', root, { issuerName: [['CN', 'Renamed Root']], aki: null });
    expect((await verdict(noAki, [root])).code).toBe('ERR_CHAIN_UNTRUSTED');
  });

  it('the leaf names a known key under another issuer name: ERR_CHAIN_NAME_MISMATCH (anchor or intermediate)', async () => {
    const renamed = await forgeLeaf('leaf', root, { issuerName: [['CN', 'Renamed Root']] });
    expect(await verdict(renamed, [root])).toEqual({
      code: 'ERR_CHAIN_NAME_MISMATCH',
      message:
        'the issuer name of "CN=leaf" does not match the subject of its issuing key\'s certificate "CN=Search Root"',
      subject: 'CN=leaf',
    });
    const ica = await forgeCa('Search ICA', root);
    const underIca = await forgeLeaf('leaf', ica, { issuerName: [['CN', 'Renamed ICA']] });
    expect(await verdict(underIca, [root], [ica])).toMatchObject({
      code: 'ERR_CHAIN_NAME_MISMATCH',
      message:
        'the issuer name of "CN=leaf" does not match the subject of its issuing key\'s certificate "CN=Search ICA"',
    });
    // An AKI naming a key no given certificate holds says nothing about names: untrusted.
    const unknownKey = await forgeLeaf('leaf', root, {
      issuerName: [['CN', 'Search ICA']],
      aki: { oid: OIDS.aki, value: ext.aki(ica.ski) },
    });
    expect((await verdict(unknownKey, [await forgeRoot('Other Root')], [])).code).toBe('ERR_CHAIN_UNTRUSTED');
  });

  it('a path that reached the anchor and failed a check reports that check, not "untrusted"', async () => {
    const notCa = await forgeCa('Not A CA', root, {
      bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(false) },
      ku: null,
    });
    const leaf = await forgeLeaf('leaf', notCa);
    expect(await verdict(leaf, [root], [notCa])).toMatchObject({
      code: 'ERR_CHAIN_BASIC_CONSTRAINTS',
      subject: 'CN=Not A CA',
    });
    // The first telling error wins over a later path's: a good CA under the same name passes.
    const good = await forgeCa('Not A CA', root, { keys: notCa.keys, ...caExtensions() });
    await expect(
      validatePath(leaf.certificate, forgedPathOptions([root], [notCa, good])),
    ).resolves.toBeDefined();
  });

  it('a look-alike anchor (same name, another key) is not the error: the leaf still has no path', async () => {
    // Attack: a planted anchor under the real CA's name must not turn "untrusted" into a signature story.
    const leaf = await forgeLeaf('leaf', root);
    const lookAlike = await forgeRoot('Search Root');
    expect(await verdict(leaf, [lookAlike])).toEqual({
      code: 'ERR_CHAIN_UNTRUSTED',
      message: 'no path leads from "CN=leaf" to a trust anchor',
      subject: 'CN=leaf',
    });
  });

  it("a rejected look-alike before a failing real path: the real path's check is reported", async () => {
    const notCa = await forgeCa('Not A CA', root, {
      bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(false) },
      ku: null,
    });
    const leaf = await forgeLeaf('leaf', notCa);
    // Tried first (anchors before intermediates): its key identifier contradicts the leaf's AKI.
    const lookAlike = await forgeRoot('Not A CA');
    expect(await verdict(leaf, [lookAlike, root], [notCa])).toMatchObject({
      code: 'ERR_CHAIN_BASIC_CONSTRAINTS',
      subject: 'CN=Not A CA',
    });
  });

  it('a leaf without AKI is never said to name a CA that has no SKI under another name', async () => {
    // Fault: "no key identifier" on both sides is not a key match.
    const noSki = await forgeRoot('No SKI Root', { ski: null, aki: null });
    const leaf = await forgeLeaf('leaf', await forgeRoot('Elsewhere'), { aki: null });
    expect(await verdict(leaf, [noSki], [await forgeCa('No SKI ICA', noSki, { ski: null })])).toEqual({
      code: 'ERR_CHAIN_UNTRUSTED',
      message: 'no path leads from "CN=leaf" to a trust anchor',
      subject: 'CN=leaf',
    });
  });

  it('a search cut short by the work budget: ERR_CHAIN_TOO_COMPLEX, whatever failed before', async () => {
    const { pool, leaf } = await forgeRingPool(40);
    const r = await rejection(validatePath(leaf.certificate, forgedPathOptions([root], pool)));
    expect([r.code, r.message]).toEqual([
      'ERR_CHAIN_TOO_COMPLEX',
      `path building for "${leaf.certificate.subject}" gave up: the candidate certificates exceed the work budget (too many look-alike issuers)`,
    ]);
  });
});

describe('a fault inside the checks', () => {
  it('a non-coded error (a bug in a stage) escapes the search: it is never taken as one failed path among others', async () => {
    // Two anchors with one name and key: two candidate paths, the second of which passes.
    const twin = await forgeRoot('Search Root', { keys: root.keys });
    const leaf = await forgeLeaf('leaf', root);
    const anchors = [certInfo(root.certificate), certInfo(twin.certificate)];
    const time = wholeSeconds(FORGE_NOW.getTime());
    let faults = 1;
    const ctx: Ctx = {
      // The first read of the time by the first path's checks fails like a bug would.
      get time() {
        if (faults-- > 0) throw new TypeError('a bug in a check stage');
        return time;
      },
      graceMs: 0,
      purpose: 'any',
      mode: 'off',
      leafKeyUsage: 0,
      allowCaLeaf: false,
      acceptAnyEku: false,
      maxDepth: 8,
      anchors: new IssuerIndex(anchors),
      anchorSet: new Set(anchors.map(rawId)),
      intermediates: new IssuerIndex([]),
      crlsByIssuer: new Map(),
      signerMemo: new Map(),
      inProgress: new Set(),
      depth: 0,
      budget: newBudget(),
      validateSigner: () => Promise.reject(new Error('no CRL signer in this test')),
    };
    await expect(validateFrom(certInfo(leaf.certificate), 'end-entity', ctx)).rejects.toThrow(
      new TypeError('a bug in a check stage'),
    );
    // Without the fault the same search passes (through the first anchor).
    const passed = await validateFrom(certInfo(leaf.certificate), 'end-entity', {
      ...ctx,
      time,
      budget: newBudget(),
    });
    expect(passed.path.anchor.cert).toBe(root.certificate);
  });
});
