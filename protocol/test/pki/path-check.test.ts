/**
 * The per-path checks of RFC 5280 6.1 (path-check.ts): each refusal names the certificate and the rule it breaks,
 * path length constraints survive a CA without its own pathLenConstraint, the optional keyUsage and EKU are
 * optional, and the validity window is the intersection of the path's periods.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCrlDer } from '../../src/pki/crl-parse';
import { validatePath, type ValidatePathOptions } from '../../src/pki/validate';
import {
  caExtensions,
  ext,
  type Forged,
  forgeCa,
  forgeCrl,
  forgedPathOptions,
  FORGE_NOW,
  forgeLeaf,
  forgeRoot,
  KU_BITS,
  OIDS,
} from './forge';
import { rejection } from './helpers';

const ANY_EKU = '2.5.29.37.0';
let root: Forged;

beforeAll(async () => {
  root = await forgeRoot('Path Check Root');
});

const verdict = async (leaf: Forged, intermediates: Forged[], over: Partial<ValidatePathOptions> = {}) => {
  const r = await rejection(validatePath(leaf.certificate, forgedPathOptions([root], intermediates, over)));
  return { code: r.code, message: r.message, details: r.details };
};
const name = (f: Forged) => `"${f.certificate.subject}"`;

describe('CA rules below the anchor (6.1.4 (k)-(n))', () => {
  it('a certificate without cA TRUE cannot issue: ERR_CHAIN_BASIC_CONSTRAINTS names it', async () => {
    const notCa = await forgeCa('Not A CA', root, {
      bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(false) },
      ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(KU_BITS.digitalSignature) },
    });
    const leaf = await forgeLeaf('under a non-CA', notCa);
    const v = await verdict(leaf, [notCa]);
    expect([v.code, v.message]).toEqual([
      'ERR_CHAIN_BASIC_CONSTRAINTS',
      `${name(notCa)} issues certificates but is not a CA (basicConstraints cA)`,
    ]);
  });

  it('a CA without its own pathLenConstraint stays bound by the one above it (attack: an extra CA level)', async () => {
    const limited = await forgeRoot('Path Limited Root', caExtensions(1));
    const ca1 = await forgeCa('Unlimited CA 1', limited, caExtensions());
    const ca2 = await forgeCa('Unlimited CA 2', ca1, caExtensions());
    const leaf = await forgeLeaf('too deep', ca2);
    const r = await rejection(validatePath(leaf.certificate, forgedPathOptions([limited], [ca1, ca2])));
    expect([r.code, r.message]).toEqual([
      'ERR_CHAIN_PATH_LENGTH',
      `${name(ca2)} exceeds the path length a CA above it allows`,
    ]);
    const shallow = await forgeLeaf('deep enough', ca1);
    await expect(
      validatePath(shallow.certificate, forgedPathOptions([limited], [ca1])),
    ).resolves.toBeDefined();
  });

  it('a CA whose keyUsage lacks keyCertSign cannot issue: ERR_CHAIN_KEY_USAGE', async () => {
    const crlOnly = await forgeCa('CRL Only CA', root, {
      ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(KU_BITS.cRLSign) },
    });
    const leaf = await forgeLeaf('under a CRL-only CA', crlOnly);
    const v = await verdict(leaf, [crlOnly]);
    expect(v.code).toBe('ERR_CHAIN_KEY_USAGE');
    expect(v.message).toBe(`the CA ${name(crlOnly)} lacks keyCertSign`);
  });

  it('a CA without keyUsage may issue (keyCertSign is checked only when the extension is present: RFC 5280 4.2.1.3, 6.1.4 (n))', async () => {
    const noKu = await forgeCa('No KeyUsage CA', root, { ku: null });
    const leaf = await forgeLeaf('under a CA without keyUsage', noKu);
    const path = await validatePath(leaf.certificate, forgedPathOptions([root], [noKu]));
    expect(path.chain.map((c) => c.subject)).toEqual([
      leaf.certificate.subject,
      noKu.certificate.subject,
      root.certificate.subject,
    ]);
  });

  it('a CA restricted to serverAuth cannot vouch for a clientAuth leaf; one with anyExtendedKeyUsage can', async () => {
    const serverCa = await forgeCa('Server CA', root, {
      eku: { oid: OIDS.eku, critical: false, value: ext.eku([OIDS.serverAuth]) },
    });
    const leaf = await forgeLeaf('pilot under server CA', serverCa, {
      eku: { oid: OIDS.eku, critical: false, value: ext.eku([OIDS.clientAuth]) },
    });
    const v = await verdict(leaf, [serverCa], { purpose: 'clientAuth' });
    expect([v.code, v.message]).toEqual([
      'ERR_CHAIN_EKU',
      `the CA ${name(serverCa)} is restricted to other extended key usages`,
    ]);
    const anyCa = await forgeCa('Any EKU CA', root, {
      eku: { oid: OIDS.eku, critical: false, value: ext.eku([ANY_EKU]) },
    });
    const pilot = await forgeLeaf('pilot under any CA', anyCa, {
      eku: { oid: OIDS.eku, critical: false, value: ext.eku([OIDS.clientAuth]) },
    });
    await expect(
      validatePath(pilot.certificate, forgedPathOptions([root], [anyCa], { purpose: 'clientAuth' })),
    ).resolves.toBeDefined();
  });
});

describe('end-entity rules', () => {
  it('a CA certificate presented as the signer is refused by name', async () => {
    const caLeaf = await forgeCa('CA As Leaf', root);
    const v = await verdict(caLeaf, []);
    expect([v.code, v.message]).toEqual([
      'ERR_CHAIN_BASIC_CONSTRAINTS',
      `${name(caLeaf)} is a CA certificate (cA TRUE) and cannot be used as an end entity`,
    ]);
  });

  it('keyUsage: a leaf lacking digitalSignature is refused; a leaf without the (optional) extension is not', async () => {
    const agreeOnly = await forgeLeaf('key agreement only', root, {
      ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(16 /* keyAgreement */) },
    });
    const v = await verdict(agreeOnly, [], { leafKeyUsage: ['digitalSignature'] });
    expect([v.code, v.message]).toEqual([
      'ERR_CHAIN_KEY_USAGE',
      `${name(agreeOnly)} lacks the key usage its use needs`,
    ]);
    const noKu = await forgeLeaf('no key usage', root, { ku: null });
    await expect(
      validatePath(noKu.certificate, forgedPathOptions([root], [], { leafKeyUsage: ['digitalSignature'] })),
    ).resolves.toBeDefined();
  });

  it('a serverAuth leaf used for clientAuth: ERR_CHAIN_EKU with the purpose', async () => {
    const server = await forgeLeaf('broker', root, {
      eku: { oid: OIDS.eku, critical: false, value: ext.eku([OIDS.serverAuth]) },
    });
    const v = await verdict(server, [], { purpose: 'clientAuth' });
    expect(v.code).toBe('ERR_CHAIN_EKU');
    expect(v.message).toBe(`${name(server)} is not valid for clientAuth`);
    expect(v.details).toMatchObject({ purpose: 'clientAuth' });
  });

  it('a leaf whose own key is refused (P-521) is named', async () => {
    const keys = (await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const leaf = await forgeLeaf('P-521 leaf', root, { keys });
    const v = await verdict(leaf, []);
    expect([v.code, v.message]).toEqual([
      'ERR_CHAIN_ALG_UNSUPPORTED',
      `${name(leaf)}: elliptic curve of key 1.2.840.10045.2.1 is not accepted`,
    ]);
  });

  it('unknown critical extensions are listed by OID', async () => {
    const leaf = await forgeLeaf('critical extras', root, {
      extra: [
        { oid: '1.2.3.4', critical: true, value: new Uint8Array([0x05, 0x00]) },
        { oid: '1.2.3.5', critical: true, value: new Uint8Array([0x05, 0x00]) },
      ],
    });
    const v = await verdict(leaf, []);
    expect([v.code, v.message]).toEqual([
      'ERR_CHAIN_CRITICAL_EXTENSION',
      `${name(leaf)} carries the unknown critical extension 1.2.3.4, 1.2.3.5`,
    ]);
    expect(v.details).toMatchObject({ oids: ['1.2.3.4', '1.2.3.5'] });
  });
});

describe('validity window', () => {
  it('is the latest notBefore and the earliest notAfter along the path, whichever certificate holds them', async () => {
    // Fault: a cache keeping a verdict past the intermediate's expiry because only the leaf's period was used.
    const wide = await forgeRoot('Window Root', {
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2040-01-01T00:00:00Z'),
    });
    const ca = await forgeCa('Window CA', wide, {
      notBefore: new Date('2024-02-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
    });
    const leaf = await forgeLeaf('window leaf', ca, {
      notBefore: new Date('2024-01-01T00:00:00Z'),
      notAfter: new Date('2035-01-01T00:00:00Z'),
    });
    const r = await validatePath(leaf.certificate, forgedPathOptions([wide], [ca]));
    expect(r.validFrom.toISOString()).toBe('2024-02-01T00:00:00.000Z');
    expect(r.validUntil.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
});

describe('validity window with revocation of the whole chain', () => {
  it('narrows to the latest thisUpdate and the earliest nextUpdate of the CRLs, whichever level they cover', async () => {
    // Fault: a cached verdict outliving the CRL that covers the intermediate because only the leaf's CRL counted.
    const now = FORGE_NOW.getTime();
    const ca = await forgeCa('Revoked Window CA', root);
    const leaf = await forgeLeaf('revoked window leaf', ca);
    const rootCrl = await forgeCrl({
      issuer: root,
      thisUpdate: new Date(now - 600_000),
      nextUpdate: new Date(now + 3_600_000),
    });
    const caCrl = await forgeCrl({
      issuer: ca,
      thisUpdate: new Date(now - 3_600_000),
      nextUpdate: new Date(now + 7_200_000),
    });
    const r = await validatePath(
      leaf.certificate,
      forgedPathOptions([root], [ca], {
        crls: [rootCrl, caCrl].map(parseCrlDer),
        revocation: { mode: 'chain' },
      }),
    );
    const notBefore = Math.max(...[root, ca, leaf].map((f) => f.certificate.notBefore.getTime()));
    const notAfter = Math.min(...[root, ca, leaf].map((f) => f.certificate.notAfter.getTime()));
    expect(r.validFrom.getTime()).toBe(Math.max(now - 600_000, notBefore));
    expect(r.validUntil.getTime()).toBe(Math.min(now + 3_600_000, notAfter));
    expect(now - 600_000).toBeGreaterThan(notBefore);
    expect(now + 3_600_000).toBeLessThan(notAfter);
  });
});
