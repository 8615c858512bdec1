/**
 * RFC 5280 section 4 requirements on the certificates of a path (profile-rules.ts, extensions.ts): each
 * hostile certificate is forged with exactly one rule broken and gets its coded verdict, next to a well-formed
 * control.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import { validatePath, type ValidatePathOptions } from '../../src/pki/validate';
import {
  ECDSA_SHA384,
  encodeOid,
  ext,
  type Forged,
  type ForgeParams,
  forgeCa,
  forgedPathOptions,
  forgeLeaf,
  forgeRoot,
  KU_BITS,
  OIDS,
} from './forge';
import { rejection } from './helpers';

let root: Forged;
let ica: Forged;

async function leafVerdict(
  over: Partial<ForgeParams>,
  validation: Partial<ValidatePathOptions> = {},
): Promise<{ code: string; rule: unknown; message: string }> {
  const leaf = await forgeLeaf('leaf', ica, over);
  const r = await rejection(validatePath(leaf.certificate, forgedPathOptions([root], [ica], validation)));
  return { code: r.code, rule: r.details.rule, message: r.message };
}

async function icaVerdict(over: Partial<ForgeParams>): Promise<{ code: string; rule: unknown }> {
  const bad = await forgeCa('Bad ICA', root, over);
  const leaf = await forgeLeaf('leaf', bad);
  const r = await rejection(validatePath(leaf.certificate, forgedPathOptions([root], [bad])));
  return { code: r.code, rule: r.details.rule };
}

const san = (...names: Parameters<typeof ext.generalNames>[0]) => ({
  oid: OIDS.san,
  value: ext.generalNames(names),
});

beforeAll(async () => {
  root = await forgeRoot('Profile Root');
  ica = await forgeCa('Profile ICA', root);
});

describe('profile rules on path certificates', () => {
  it('the well-formed control chain validates', async () => {
    expect((await leafVerdict({})).code).toBe('resolved');
  });

  it('4.2.1.1: a leaf or an intermediate without an authority key identifier', async () => {
    expect(await leafVerdict({ aki: null })).toMatchObject({ code: 'ERR_CHAIN_PROFILE', rule: '4.2.1.1' });
    expect(await icaVerdict({ aki: null })).toEqual({ code: 'ERR_CHAIN_PROFILE', rule: '4.2.1.1' });
    expect(
      await leafVerdict({ aki: { oid: OIDS.aki, critical: true, value: ext.aki(ica.ski) } }),
    ).toMatchObject({ code: 'ERR_CHAIN_PROFILE', rule: '4.2.1.1' });
  });

  it('4.2.1.2: a CA without a subject key identifier, or a critical one', async () => {
    expect(await icaVerdict({ ski: null })).toEqual({ code: 'ERR_CHAIN_PROFILE', rule: '4.2.1.2' });
    expect(
      await leafVerdict({
        ski: { oid: OIDS.ski, critical: true, value: ext.ski(new Uint8Array(20).fill(7)) },
      }),
    ).toMatchObject({ code: 'ERR_CHAIN_PROFILE', rule: '4.2.1.2' });
    // An end entity may omit it.
    expect((await leafVerdict({ ski: null })).code).toBe('resolved');
  });

  it('4.2.2.1 / 4.2.2.2: a critical authority or subject information access', async () => {
    expect(
      await leafVerdict({
        extra: [{ oid: OIDS.aia, critical: true, value: ext.aia('http://example.com/ca.crt') }],
      }),
    ).toMatchObject({ code: 'ERR_CHAIN_PROFILE', rule: '4.2.2.1' });
    expect(
      await leafVerdict({
        extra: [{ oid: '1.3.6.1.5.5.7.1.11', critical: true, value: ext.aia('http://example.com/repo') }],
      }),
    ).toMatchObject({ code: 'ERR_CHAIN_PROFILE', rule: '4.2.2.2' });
    expect(
      (await leafVerdict({ extra: [{ oid: OIDS.aia, value: ext.aia('http://example.com/ca.crt') }] })).code,
    ).toBe('resolved');
  });

  it('4.2.1.12: an empty extended key usage is malformed, whatever the purpose', async () => {
    const empty = { oid: OIDS.eku, value: new Uint8Array([0x30, 0x00]) };
    expect((await leafVerdict({ eku: empty })).code).toBe('ERR_CERT_MALFORMED');
    expect((await leafVerdict({ eku: empty }, { purpose: 'serverAuth' })).code).toBe('ERR_CERT_MALFORMED');
  });

  it('4.2.1.9: keyCertSign without cA TRUE; a pathLenConstraint outside a certificate-signing CA', async () => {
    expect(
      await leafVerdict({
        ku: {
          oid: OIDS.ku,
          critical: true,
          value: ext.keyUsage(KU_BITS.digitalSignature | KU_BITS.keyCertSign),
        },
      }),
    ).toMatchObject({
      code: 'ERR_CHAIN_PROFILE',
      rule: '4.2.1.9',
    });
    expect(
      await leafVerdict({ bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(false, 0) } }),
    ).toMatchObject({ code: 'ERR_CHAIN_PROFILE', rule: '4.2.1.9' });
    // A CA leaf (allowed here) with pathLen and keyUsage without keyCertSign.
    const caLeaf = {
      bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(true, 0) },
      ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(KU_BITS.cRLSign) },
      ski: undefined,
    };
    expect(await leafVerdict(caLeaf, { allowCaLeaf: true })).toMatchObject({
      code: 'ERR_CHAIN_PROFILE',
      rule: '4.2.1.9',
    });
  });

  it('4.2.1.3: a keyUsage with no bit set', async () => {
    expect(await leafVerdict({ ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(0) } })).toMatchObject(
      { code: 'ERR_CHAIN_PROFILE', rule: '4.2.1.3' },
    );
  });

  it('4.2.1.10: name constraints in an end-entity certificate, critical or not', async () => {
    for (const critical of [true, false]) {
      const v = await leafVerdict({
        extra: [{ oid: OIDS.nc, critical, value: ext.nameConstraints([{ dns: 'example.com' }]) }],
      });
      expect(v).toMatchObject({ code: 'ERR_CHAIN_NAME_CONSTRAINTS', rule: '4.2.1.10' });
      expect(v.message).toContain('not a CA');
    }
  });

  it('4.1.2.6 / 4.2.1.6: an empty subject needs a critical subjectAltName; a CA needs a subject', async () => {
    expect(await leafVerdict({ subject: [], san: san({ dns: 'example.com' }) })).toMatchObject({
      code: 'ERR_CHAIN_PROFILE',
      rule: '4.2.1.6',
    });
    expect(await leafVerdict({ subject: [], san: null })).toMatchObject({
      code: 'ERR_CHAIN_PROFILE',
      rule: '4.1.2.6',
    });
    expect(
      (await leafVerdict({ subject: [], san: { ...san({ dns: 'example.com' }), critical: true } })).code,
    ).toBe('resolved');
    expect(
      await icaVerdict({ subject: [], san: { ...san({ dns: 'ca.example.com' }), critical: true } }),
    ).toEqual({ code: 'ERR_CHAIN_PROFILE', rule: '4.1.2.6' });
  });

  it('4.2.1.6: syntactically invalid names in a subjectAltName', async () => {
    for (const name of [
      { dns: '.example.com' },
      { dns: 'exa mple.com' },
      { dns: 'example..com' },
      { dns: '*' },
      { dns: 'under_score.example.com' },
      { dns: '' },
    ]) {
      expect({ name, ...(await leafVerdict({ san: san(name) })) }).toMatchObject({
        name,
        code: 'ERR_CHAIN_PROFILE',
        rule: '4.2.1.6',
      });
    }
    for (const name of [
      { ipBytes: new Uint8Array([192, 0, 2, 0, 255, 255, 255, 0]) },
      { email: 'invalid@address@example.com' },
      { email: 'no-at-sign' },
      { email: 'trailing@' },
      { email: '"unterminated@example.com' },
      { uri: 'not a uri' },
    ]) {
      expect({ name, ...(await leafVerdict({ san: san(name) })) }).toMatchObject({
        name,
        code: 'ERR_CHAIN_PROFILE',
        rule: '4.2.1.6',
      });
    }
    // Well-formed names of every form, a wildcard and a URN included.
    const good = san(
      { dns: '*.example.com' },
      { dns: 'xn--bcher-kva.example' },
      { email: 'pilot@example.com' },
      { ip: '2001:db8::1' },
      { uri: 'urn:mrn:helmlink:pilot:p-1' },
      { uri: 'https://example.com:8443/x' },
    );
    expect((await leafVerdict({ san: good })).code).toBe('resolved');
  });

  it('4.2.1.11 / 4.2.1.14: non-critical policy constraints or inhibitAnyPolicy on a CA', async () => {
    expect(await icaVerdict({ extra: [{ oid: OIDS.pc, value: ext.policyConstraints(3) }] })).toEqual({
      code: 'ERR_CHAIN_PROFILE',
      rule: '4.2.1.11',
    });
    expect(
      await icaVerdict({ extra: [{ oid: '2.5.29.54', value: new Uint8Array([0x02, 0x01, 0x00]) }] }),
    ).toEqual({ code: 'ERR_CHAIN_PROFILE', rule: '4.2.1.14' });
    // Critical, they are extensions this validator does not process.
    expect(
      (await icaVerdict({ extra: [{ oid: OIDS.pc, critical: true, value: ext.policyConstraints(3) }] })).code,
    ).toBe('ERR_CHAIN_CRITICAL_EXTENSION');
  });

  it('4.1.2.2: a serial number longer than 20 octets; 20 octets (with the sign octet) are fine', async () => {
    expect(await leafVerdict({ serial: new Uint8Array(22).fill(0x11) })).toMatchObject({
      code: 'ERR_CHAIN_PROFILE',
      rule: '4.1.2.2',
    });
    expect(
      (await leafVerdict({ serial: new Uint8Array([0x00, ...new Uint8Array(20).fill(0x99)]) })).code,
    ).toBe('resolved');
    // Negative and zero serials are handled gracefully (4.1.2.2; PKITS 4.4.14 expects them to validate).
    expect((await leafVerdict({ serial: new Uint8Array([0x80, 0x01]) })).code).toBe('resolved');
  });

  it('malformed certificates: extensions in a v1 certificate, duplicate extensions, an empty distribution point', async () => {
    expect((await leafVerdict({ version: 1, extensionsInV1: true })).code).toBe('ERR_CERT_MALFORMED');
    expect((await leafVerdict({ extra: [san({ dns: 'example.com' })] })).code).toBe('ERR_CERT_MALFORMED');
    // DistributionPoint with only reasons: SEQUENCE { SEQUENCE { [1] BIT STRING } }.
    const reasonsOnly = new Uint8Array([0x30, 0x06, 0x30, 0x04, 0x81, 0x02, 0x07, 0x80]);
    expect((await leafVerdict({ extra: [{ oid: '2.5.29.31', value: reasonsOnly }] })).code).toBe(
      'ERR_CERT_MALFORMED',
    );
  });

  it('4.1.1.2: the algorithm inside the signed part must be the one the certificate is signed with', async () => {
    // Signed (and verifiable) with ECDSA-SHA256, but the TBS claims ECDSA-SHA384.
    expect((await leafVerdict({ tbsAlgorithm: ECDSA_SHA384 })).code).toBe('ERR_CHAIN_SIGNATURE');
  });

  it('an unknown critical extension on an intermediate or the leaf', async () => {
    const odd = { oid: '1.3.6.1.4.1.55738.666.1', critical: true, value: encodeOid('1.2.3') };
    expect((await icaVerdict({ extra: [odd] })).code).toBe('ERR_CHAIN_CRITICAL_EXTENSION');
    expect((await leafVerdict({ extra: [odd] })).code).toBe('ERR_CHAIN_CRITICAL_EXTENSION');
  });

  it('each refusal names the certificate, the fault and the section it breaks', async () => {
    const leafMessage = async (over: Partial<ForgeParams>, validation: Partial<ValidatePathOptions> = {}) =>
      (await leafVerdict(over, validation)).message;
    const caMessage = async (over: Partial<ForgeParams>) => {
      const bad = await forgeCa('Bad ICA', root, over);
      const leaf = await forgeLeaf('leaf', bad);
      return (await rejection(validatePath(leaf.certificate, forgedPathOptions([root], [bad])))).message;
    };
    const ku = (bits: number) => ({ oid: OIDS.ku, critical: true, value: ext.keyUsage(bits) });
    const cases: [Promise<string>, string][] = [
      [
        leafMessage({ serial: new Uint8Array(21).fill(0x11) }),
        '"CN=leaf": a serial number of 21 octets (at most 20) (RFC 5280 4.1.2.2)',
      ],
      [
        leafMessage({ subject: [], san: null }),
        '"": an empty subject name without a subjectAltName (RFC 5280 4.1.2.6)',
      ],
      [
        leafMessage({ subject: [], san: san({ dns: 'example.com' }) }),
        '"": an empty subject name with a non-critical subjectAltName (RFC 5280 4.2.1.6)',
      ],
      [
        caMessage({ subject: [], san: { ...san({ dns: 'ca.example.com' }), critical: true } }),
        '"": a CA certificate with an empty subject name (RFC 5280 4.1.2.6)',
      ],
      [
        leafMessage({ san: san({ dns: 'a..example.com' }) }),
        '"CN=leaf": subjectAltName dns a..example.com: "a..example.com" is not a DNS name in the preferred name syntax (RFC 5280 4.2.1.6)',
      ],
      [
        leafMessage({ aki: { oid: OIDS.aki, critical: true, value: ext.aki(ica.ski) } }),
        '"CN=leaf": a critical authority key identifier (RFC 5280 4.2.1.1)',
      ],
      [
        leafMessage({ aki: null }),
        '"CN=leaf": no authority key identifier (keyIdentifier) on a certificate issued by another (RFC 5280 4.2.1.1)',
      ],
      [
        leafMessage({ ski: { oid: OIDS.ski, critical: true, value: ext.ski(new Uint8Array(20).fill(7)) } }),
        '"CN=leaf": a critical subject key identifier (RFC 5280 4.2.1.2)',
      ],
      [
        caMessage({ ski: null }),
        '"CN=Bad ICA": a CA certificate without a subject key identifier (RFC 5280 4.2.1.2)',
      ],
      [
        leafMessage({
          extra: [{ oid: OIDS.aia, critical: true, value: ext.aia('http://example.com/ca.crt') }],
        }),
        '"CN=leaf": a critical authority information access (RFC 5280 4.2.2.1)',
      ],
      [
        leafMessage({
          extra: [{ oid: '1.3.6.1.5.5.7.1.11', critical: true, value: ext.aia('http://example.com/repo') }],
        }),
        '"CN=leaf": a critical subject information access (RFC 5280 4.2.2.2)',
      ],
      [leafMessage({ ku: ku(0) }), '"CN=leaf": a keyUsage with no bit set (RFC 5280 4.2.1.3)'],
      [
        leafMessage({ ku: ku(KU_BITS.digitalSignature | KU_BITS.keyCertSign) }),
        '"CN=leaf": keyCertSign without basicConstraints cA TRUE (RFC 5280 4.2.1.9)',
      ],
      [
        leafMessage({ bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(false, 0) } }),
        '"CN=leaf": a pathLenConstraint on a certificate that is not a CA allowed to sign certificates (RFC 5280 4.2.1.9)',
      ],
      [
        caMessage({ extra: [{ oid: OIDS.pc, value: ext.policyConstraints(3) }] }),
        '"CN=Bad ICA": non-critical policy constraints (RFC 5280 4.2.1.11)',
      ],
      [
        caMessage({ extra: [{ oid: '2.5.29.54', value: new Uint8Array([0x02, 0x01, 0x00]) }] }),
        '"CN=Bad ICA": a non-critical inhibitAnyPolicy (RFC 5280 4.2.1.14)',
      ],
      [
        leafMessage({
          extra: [{ oid: OIDS.nc, critical: true, value: ext.nameConstraints([{ dns: 'example.com' }]) }],
        }),
        '"CN=leaf": name constraints in a certificate that is not a CA (RFC 5280 4.2.1.10)',
      ],
      [
        caMessage({ extra: [{ oid: OIDS.nc, value: ext.nameConstraints([{ dns: 'example.com' }]) }] }),
        '"CN=Bad ICA": non-critical name constraints (RFC 5280 4.2.1.10)',
      ],
      [
        caMessage({
          extra: [{ oid: OIDS.nc, critical: true, value: ext.nameConstraints([{ dns: '.example.com' }]) }],
        }),
        '"CN=Bad ICA": invalid name constraints: ".example.com" is not a DNS name in the preferred name syntax (RFC 5280 4.2.1.10)',
      ],
    ];
    for (const [message, want] of cases) expect(await message).toBe(want);
  });

  it('boundaries: 20 serial octets without a sign octet, a CA without keyUsage but with a pathLenConstraint, well-formed name constraints on a CA', async () => {
    expect((await leafVerdict({ serial: new Uint8Array(20).fill(0x11) })).code).toBe('resolved');
    // 4.2.1.9 allows pathLenConstraint on a CA "asserting keyCertSign": without keyUsage every use is allowed.
    const noKu = await forgeCa('No KU ICA', root, {
      bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(true, 0) },
      ku: null,
    });
    const leaf = await forgeLeaf('leaf', noKu);
    await expect(validatePath(leaf.certificate, forgedPathOptions([root], [noKu]))).resolves.toBeDefined();
    // A well-formed name constraints extension on a CA is not a profile fault.
    const constrained = await forgeCa('NC ICA', root, {
      extra: [{ oid: OIDS.nc, critical: true, value: ext.nameConstraints([{ dns: 'example.com' }]) }],
    });
    const inside = await forgeLeaf('leaf', constrained);
    await expect(
      validatePath(inside.certificate, forgedPathOptions([root], [constrained])),
    ).resolves.toBeDefined();
  });
});
