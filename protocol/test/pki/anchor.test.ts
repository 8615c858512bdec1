/**
 * Trust anchor rules (RFC 5280 6.1.1 (d), RFC 5937; anchor.ts): the anchor certificate's own constraints and
 * profile apply to the path. Every hostile anchor is built in code and each rule has its coded verdict.
 */
import '../../src/reflect';
import type * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { validatePath } from '../../src/pki/validate';
import {
  caExtensions,
  DAY,
  ext,
  FORGE_NOW,
  type Forged,
  forgeCa,
  forgedPathOptions,
  forgeLeaf,
  forgeRoot,
  KU_BITS,
  OIDS,
} from './forge';
import { codeOf, rejection } from './helpers';

const validate = (leaf: Forged, anchor: Forged, intermediates: Forged[] = []): Promise<unknown> =>
  validatePath(leaf.certificate, forgedPathOptions([anchor], intermediates));

let plainRoot: Forged;
beforeAll(async () => {
  plainRoot = await forgeRoot('Anchor Test Root');
});

describe('trust anchor: the certificate itself', () => {
  it('a well-formed anchor validates a leaf (the baseline every rule below departs from)', async () => {
    await expect(validate(await forgeLeaf('leaf', plainRoot), plainRoot)).resolves.toBeDefined();
  });

  it('an unknown critical extension on the anchor: ERR_CHAIN_CRITICAL_EXTENSION', async () => {
    const root = await forgeRoot('Root X', {
      extra: [{ oid: '1.3.6.1.4.1.55738.666.1', critical: true, value: new Uint8Array([0x05, 0x00]) }],
    });
    const r = await rejection(validate(await forgeLeaf('leaf', root), root));
    expect(r.code).toBe('ERR_CHAIN_CRITICAL_EXTENSION');
    expect(r.message).toContain('trust anchor');
    // The same extension non-critical is ignored.
    const ok = await forgeRoot('Root X2', {
      extra: [{ oid: '1.3.6.1.4.1.55738.666.1', value: new Uint8Array([0x05, 0x00]) }],
    });
    await expect(validate(await forgeLeaf('leaf', ok), ok)).resolves.toBeDefined();
  });

  it('basicConstraints must be present, critical and cA TRUE on the anchor (4.2.1.9): ERR_CHAIN_BASIC_CONSTRAINTS', async () => {
    for (const bc of [
      null,
      { oid: OIDS.bc, value: ext.basicConstraints(true) },
      { oid: OIDS.bc, critical: true, value: ext.basicConstraints(false) },
    ]) {
      const root = await forgeRoot('Root BC', { bc });
      const r = await rejection(validate(await forgeLeaf('leaf', root), root));
      expect({ bc: bc?.critical, code: r.code, rule: r.details.rule }).toEqual({
        bc: bc?.critical,
        code: 'ERR_CHAIN_BASIC_CONSTRAINTS',
        rule: '4.2.1.9',
      });
    }
  });

  it('keyCertSign when the anchor has a keyUsage: ERR_CHAIN_KEY_USAGE', async () => {
    const root = await forgeRoot('Root KU', {
      ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(KU_BITS.cRLSign) },
    });
    expect(await codeOf(validate(await forgeLeaf('leaf', root), root))).toBe('ERR_CHAIN_KEY_USAGE');
    // No keyUsage at all is allowed (6.1.4 (n) applies only when present).
    const noKu = await forgeRoot('Root no KU', { ku: null });
    await expect(validate(await forgeLeaf('leaf', noKu), noKu)).resolves.toBeDefined();
  });

  it('each anchor refusal says what is wrong with the anchor, by name (the operator fixes the configuration from it)', async () => {
    const messageOf = async (over: Parameters<typeof forgeRoot>[1]) => {
      const root = await forgeRoot('Bad Anchor', over);
      const r = await rejection(validate(await forgeLeaf('leaf', root), root));
      return { code: r.code, message: r.message, details: r.details };
    };
    expect(await messageOf({ bc: null })).toMatchObject({
      code: 'ERR_CHAIN_BASIC_CONSTRAINTS',
      message: 'the trust anchor "CN=Bad Anchor" has no basicConstraints (RFC 5280 4.2.1.9)',
    });
    expect(
      await messageOf({ bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(false) } }),
    ).toMatchObject({
      message: 'the trust anchor "CN=Bad Anchor" is not a CA (cA FALSE) (RFC 5280 4.2.1.9)',
    });
    expect(await messageOf({ bc: { oid: OIDS.bc, value: ext.basicConstraints(true) } })).toMatchObject({
      message: 'the trust anchor "CN=Bad Anchor" has non-critical basicConstraints (RFC 5280 4.2.1.9)',
    });
    expect(
      await messageOf({ ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(KU_BITS.cRLSign) } }),
    ).toMatchObject({
      code: 'ERR_CHAIN_KEY_USAGE',
      message: 'the trust anchor "CN=Bad Anchor" lacks keyCertSign',
    });
    const odd = '1.3.6.1.4.1.55738.666.1';
    expect(
      await messageOf({ extra: [{ oid: odd, critical: true, value: new Uint8Array([0x05, 0x00]) }] }),
    ).toEqual({
      code: 'ERR_CHAIN_CRITICAL_EXTENSION',
      message: `the trust anchor "CN=Bad Anchor" carries the unknown critical extension ${odd}`,
      details: expect.objectContaining({ subject: 'CN=Bad Anchor', oids: [odd] }),
    });
  });

  it('a critical AKI, a critical SKI or a missing SKI on the anchor: ERR_CHAIN_PROFILE (4.2.1.1, 4.2.1.2)', async () => {
    const cases: [Partial<Parameters<typeof forgeRoot>[1]>, string][] = [
      [{ aki: { oid: OIDS.aki, critical: true, value: ext.aki(new Uint8Array(20).fill(1)) } }, '4.2.1.1'],
      [{ ski: { oid: OIDS.ski, critical: true, value: ext.ski(new Uint8Array(20).fill(2)) } }, '4.2.1.2'],
      [{ ski: null }, '4.2.1.2'],
    ];
    for (const [over, rule] of cases) {
      const root = await forgeRoot('Root ids', over);
      const r = await rejection(validate(await forgeLeaf('leaf', root), root));
      expect({ code: r.code, rule: r.details.rule }).toEqual({ code: 'ERR_CHAIN_PROFILE', rule });
    }
    // A self-signed anchor may omit its AKI (4.2.1.1's exception); a cross-certified CA used as anchor may not.
    const noAki = await forgeRoot('Root no AKI', { aki: null });
    await expect(validate(await forgeLeaf('leaf', noAki), noAki)).resolves.toBeDefined();
    const crossSigned = await forgeCa('Cross-signed', noAki, { aki: null });
    const r = await rejection(validate(await forgeLeaf('leaf', crossSigned), crossSigned));
    expect({ code: r.code, rule: r.details.rule }).toEqual({ code: 'ERR_CHAIN_PROFILE', rule: '4.2.1.1' });
  });

  it('an anchor with an empty subject, even with a critical subjectAltName: ERR_CHAIN_PROFILE (4.1.2.6)', async () => {
    const root = await forgeRoot('unused', {
      subject: [],
      san: { oid: OIDS.san, critical: true, value: ext.generalNames([{ dns: 'root.example.com' }]) },
    });
    const r = await rejection(validate(await forgeLeaf('leaf', root), root));
    expect({ code: r.code, rule: r.details.rule }).toEqual({ code: 'ERR_CHAIN_PROFILE', rule: '4.1.2.6' });
    expect(r.message).toContain('CA certificate with an empty subject');
  });

  it("the anchor's pathLenConstraint starts max_path_length: ERR_CHAIN_PATH_LENGTH", async () => {
    const root = await forgeRoot('Root pathlen 0', caExtensions(0));
    const ica = await forgeCa('ICA', root);
    expect(await codeOf(validate(await forgeLeaf('leaf', ica), root, [ica]))).toBe('ERR_CHAIN_PATH_LENGTH');
    await expect(validate(await forgeLeaf('leaf', root), root)).resolves.toBeDefined();
  });

  it('an expired anchor: ERR_CHAIN_EXPIRED', async () => {
    const root = await forgeRoot('Old Root', {
      notBefore: new Date(FORGE_NOW.getTime() - 100 * DAY),
      notAfter: new Date(FORGE_NOW.getTime() - DAY),
    });
    expect(await codeOf(validate(await forgeLeaf('leaf', root), root))).toBe('ERR_CHAIN_EXPIRED');
  });

  it('an intermediate configured as the anchor ends the path there; its signature is not checked', async () => {
    const ica = await forgeCa('ICA anchor', plainRoot);
    const leaf = await forgeLeaf('leaf', ica);
    const path = (await validatePath(leaf.certificate, forgedPathOptions([ica], [plainRoot]))) as {
      chain: x509.X509Certificate[];
    };
    expect(path.chain).toHaveLength(2);
  });
});

describe('trust anchor: its name constraints apply to the path (RFC 5937)', () => {
  const ncRoot = (
    permitted?: Parameters<typeof ext.nameConstraints>[0],
    excluded?: Parameters<typeof ext.nameConstraints>[1],
  ) =>
    forgeRoot('NC Root', {
      extra: [{ oid: OIDS.nc, critical: true, value: ext.nameConstraints(permitted, excluded) }],
    });

  it('excluded dNSName, IPv4 and IPv6 subtrees reject a leaf inside them: ERR_CHAIN_NAME_CONSTRAINTS', async () => {
    const cases: [
      Parameters<typeof ext.nameConstraints>[1],
      Parameters<typeof ext.generalNames>[0],
      Parameters<typeof ext.generalNames>[0],
    ][] = [
      [[{ dns: 'example.com' }], [{ dns: 'www.example.com' }], [{ dns: 'example.org' }]],
      [[{ ip: '192.0.2.0/24' }], [{ ip: '192.0.2.1' }], [{ ip: '198.51.100.1' }]],
      [[{ ip: '::1/128' }], [{ ip: '::1' }], [{ ip: '::2' }]],
    ];
    for (const [excluded, inside, outside] of cases) {
      const root = await ncRoot(undefined, excluded);
      const bad = await forgeLeaf('leaf', root, { san: { oid: OIDS.san, value: ext.generalNames(inside) } });
      expect(await codeOf(validate(bad, root))).toBe('ERR_CHAIN_NAME_CONSTRAINTS');
      const good = await forgeLeaf('leaf', root, {
        san: { oid: OIDS.san, value: ext.generalNames(outside) },
      });
      await expect(validate(good, root)).resolves.toBeDefined();
    }
  });

  it('a name both permitted and excluded is excluded', async () => {
    const root = await ncRoot([{ dns: 'example.com' }], [{ dns: 'example.com' }]);
    expect(await codeOf(validate(await forgeLeaf('leaf', root), root))).toBe('ERR_CHAIN_NAME_CONSTRAINTS');
  });

  it("an intermediate's own SAN is checked against the anchor's constraints", async () => {
    const root = await ncRoot(undefined, [{ dns: 'forbidden.example.com' }]);
    const ica = await forgeCa('ICA', root, {
      san: { oid: OIDS.san, value: ext.generalNames([{ dns: 'forbidden.example.com' }]) },
    });
    const leaf = await forgeLeaf('leaf', ica, {
      san: { oid: OIDS.san, value: ext.generalNames([{ dns: 'permitted.example.com' }]) },
    });
    const r = await rejection(validate(leaf, root, [ica]));
    expect(r.code).toBe('ERR_CHAIN_NAME_CONSTRAINTS');
    expect(r.details.subject).toBe(ica.certificate.subject);
  });

  it('a self-issued end entity is checked; a self-issued intermediate is not (6.1.3 (b))', async () => {
    const root = await ncRoot([{ dns: 'example.com' }]);
    const ica = await forgeCa('ICA', root);
    const rollover = await forgeCa('ICA', ica, {
      san: { oid: OIDS.san, value: ext.generalNames([{ dns: 'not-example.com' }]) },
    });
    const leaf = await forgeLeaf('leaf', rollover, {
      san: { oid: OIDS.san, value: ext.generalNames([{ dns: 'www.example.com' }]) },
    });
    await expect(validate(leaf, root, [ica, rollover])).resolves.toBeDefined();
    const selfIssuedLeaf = await forgeLeaf('ICA', ica, {
      san: { oid: OIDS.san, value: ext.generalNames([{ dns: 'not-example.com' }]) },
    });
    expect(await codeOf(validate(selfIssuedLeaf, root, [ica]))).toBe('ERR_CHAIN_NAME_CONSTRAINTS');
  });

  it('invalid constraint forms on the anchor fail (wildcard, leading period, 4-octet IP, bad mailbox, non-CIDR mask, minimum/maximum)', async () => {
    const cases: Parameters<typeof ext.nameConstraints>[0][] = [
      [{ dns: '*.example.com' }],
      [{ dns: '.example.com' }],
      [{ ipBytes: new Uint8Array([127, 0, 0, 1]) }],
      [{ email: 'invalid@invalid@example.com' }],
      [{ ipBytes: new Uint8Array([192, 0, 2, 0, 255, 0, 255, 0]) }],
      // Four octets whose second half would pass for a contiguous mask: still not address + mask.
      [{ ipBytes: new Uint8Array([192, 0, 255, 0]) }],
    ];
    for (const permitted of cases) {
      const root = await ncRoot(permitted);
      const r = await rejection(validate(await forgeLeaf('leaf', root), root));
      expect({ permitted, code: r.code, rule: r.details.rule }).toEqual({
        permitted,
        code: 'ERR_CHAIN_NAME_CONSTRAINTS',
        rule: '4.2.1.10',
      });
      expect(r.message).toContain('invalid name constraints');
    }
    // GeneralSubtree with maximum [1] 0: SEQUENCE { [2] "example.com", [1] 0 }.
    const withMax = new Uint8Array([
      0x30,
      0x14,
      0xa0,
      0x12,
      0x30,
      0x10,
      0x82,
      0x0b,
      ...new TextEncoder().encode('example.com'),
      0x81,
      0x01,
      0x00,
    ]);
    const root = await forgeRoot('NC max', { extra: [{ oid: OIDS.nc, critical: true, value: withMax }] });
    expect((await rejection(validate(await forgeLeaf('leaf', root), root))).message).toContain('maximum');
  });

  it('non-critical name constraints on the anchor fail (4.2.1.10: MUST be critical)', async () => {
    const root = await forgeRoot('NC non-critical', {
      extra: [{ oid: OIDS.nc, value: ext.nameConstraints([{ dns: 'example.com' }]) }],
    });
    const r = await rejection(validate(await forgeLeaf('leaf', root), root));
    expect(r.code).toBe('ERR_CHAIN_NAME_CONSTRAINTS');
    expect(r.message).toContain('non-critical');
  });
});
