/**
 * The one-pass CRL parser and its profile rules (crl-parse.ts, crl-index.ts), through validatePath with
 * forged CRLs: each broken rule makes the CRL unusable, so the leaf it covers fails closed with the CRL's code.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import { readChildren, readTlv } from '../../src/pki/der';
import { concat, tlv } from '../../src/pki/der-writer';
import { parseCrlDer } from '../../src/pki/crl-parse';
import { parseCrlsIndexed } from '../../src/pki/pem';
import { validatePath, type ValidatePathOptions } from '../../src/pki/validate';
import {
  type CrlForgeParams,
  DAY,
  ECDSA_SHA384,
  encodeOid,
  ext,
  FORGE_NOW,
  type Forged,
  forgeCrl,
  forgeLeaf,
  forgeRoot,
  OIDS,
  serialOf,
} from './forge';
import { codeOf, rejection } from './helpers';

let root: Forged;
let leaf: Forged;
let serial: Uint8Array;

function opts(crls: Uint8Array[], mode: 'leaf' | 'chain' = 'leaf'): ValidatePathOptions {
  return {
    trustAnchors: [root.certificate],
    crls: crls.map(parseCrlDer),
    time: FORGE_NOW,
    purpose: 'any',
    revocation: { mode },
    leafKeyUsage: [],
  };
}

async function verdict(p: Omit<CrlForgeParams, 'issuer'>): Promise<{ code: string; rule: unknown }> {
  const r = await rejection(validatePath(leaf.certificate, opts([await forgeCrl({ issuer: root, ...p })])));
  return { code: r.code, rule: r.details.rule };
}

const other = (n: number): Uint8Array => new Uint8Array([0x10, n]);
const deltaIndicator = (base: number, critical = true) => ({
  oid: '2.5.29.27',
  critical,
  value: new Uint8Array([0x02, 0x01, base]),
});

beforeAll(async () => {
  root = await forgeRoot('CRL Test Root');
  leaf = await forgeLeaf('leaf', root);
  serial = serialOf(leaf);
});

describe('CRL profile rules (RFC 5280 section 5)', () => {
  it('a well-formed v2 CRL with a CRL number is used: not listed passes, listed is revoked', async () => {
    expect(await verdict({ entries: [{ serial: other(1) }] })).toEqual({ code: 'resolved', rule: undefined });
    expect((await verdict({ entries: [{ serial, reason: 1 }] })).code).toBe('ERR_CHAIN_REVOKED');
  });

  it('v1 CRLs and CRLs without a CRL number are refused: ERR_CRL_INVALID (5.1.2.1, 5.2.3)', async () => {
    expect(await verdict({ version: 1 })).toEqual({ code: 'ERR_CRL_INVALID', rule: '5.1.2.1' });
    expect(await verdict({ number: null })).toEqual({ code: 'ERR_CRL_INVALID', rule: '5.2.3' });
  });

  it('a critical CRL number, a negative one or one over 20 octets: ERR_CRL_PROFILE (5.2.3)', async () => {
    expect(await verdict({ numberCritical: true })).toEqual({ code: 'ERR_CRL_PROFILE', rule: '5.2.3' });
    const negative = { oid: '2.5.29.20', value: new Uint8Array([0x02, 0x01, 0xff]) };
    expect(await verdict({ number: null, extra: [negative] })).toEqual({
      code: 'ERR_CRL_PROFILE',
      rule: '5.2.3',
    });
    const long = {
      oid: '2.5.29.20',
      value: concat([new Uint8Array([0x02, 0x16]), new Uint8Array(22).fill(0x11)]),
    };
    expect(await verdict({ number: null, extra: [long] })).toEqual({
      code: 'ERR_CRL_PROFILE',
      rule: '5.2.3',
    });
  });

  it('known CRL extensions with the wrong criticality: ERR_CRL_PROFILE', async () => {
    expect(
      await verdict({ aki: false, extra: [{ oid: OIDS.aki, critical: true, value: ext.aki(root.ski) }] }),
    ).toEqual({ code: 'ERR_CRL_PROFILE', rule: '5.2.1' });
    expect(
      await verdict({
        extra: [
          {
            oid: '2.5.29.46',
            critical: true,
            value: tlv(
              0x30,
              tlv(0x30, tlv(0xa0, tlv(0xa0, tlv(0x86, new TextEncoder().encode('http://x/d.crl'))))),
            ),
          },
        ],
      }),
    ).toEqual({
      code: 'ERR_CRL_PROFILE',
      rule: '5.2.6',
    });
    expect(
      await verdict({ extra: [{ oid: OIDS.aia, critical: true, value: ext.aia('http://x/ca.crt') }] }),
    ).toEqual({ code: 'ERR_CRL_PROFILE', rule: '5.2.7' });
    // IDP (onlyContainsUserCerts) must be critical; asserting two scopes at once is invalid.
    const userOnly = tlv(0x30, new Uint8Array([0x81, 0x01, 0xff]));
    expect(await verdict({ extra: [{ oid: '2.5.29.28', value: userOnly }] })).toEqual({
      code: 'ERR_CRL_PROFILE',
      rule: '5.2.5',
    });
    // (Such a CRL covers no certificate at all; the refusal keeps a CrlStore from accepting it.)
    const twoScopes = tlv(0x30, new Uint8Array([0x81, 0x01, 0xff, 0x82, 0x01, 0xff]));
    const refused = parseCrlDer(
      await forgeCrl({ issuer: root, extra: [{ oid: '2.5.29.28', critical: true, value: twoScopes }] }),
    ).refusal;
    expect({ code: refused?.code, rule: refused?.details?.rule }).toEqual({
      code: 'ERR_CRL_PROFILE',
      rule: '5.2.5',
    });
    expect((await verdict({ extra: [{ oid: '2.5.29.28', critical: true, value: userOnly }] })).code).toBe(
      'resolved',
    );
  });

  it('a delta CRL indicator must be critical (5.2.4)', async () => {
    const base = await forgeCrl({ issuer: root, number: 10 });
    const delta = await forgeCrl({
      issuer: root,
      number: 11,
      extra: [deltaIndicator(10, false)],
      entries: [{ serial, reason: 1 }],
    });
    const r = await rejection(validatePath(leaf.certificate, opts([base, delta])));
    expect({ code: r.code, rule: r.details.rule }).toEqual({ code: 'ERR_CRL_PROFILE', rule: '5.2.4' });
  });

  it('two entries for one serial fail closed: a later removeFromCRL cannot hide a keyCompromise (ERR_CRL_PROFILE)', async () => {
    const base = await forgeCrl({ issuer: root, number: 10 });
    const delta = await forgeCrl({
      issuer: root,
      number: 11,
      extra: [deltaIndicator(10)],
      entries: [
        { serial, reason: 1 },
        { serial, reason: 8 },
      ],
    });
    const r = await rejection(validatePath(leaf.certificate, opts([base, delta])));
    expect(r.code).toBe('ERR_CRL_PROFILE');
    expect(r.message).toContain('twice');
    // On a complete CRL, and for another certificate's serial too: the whole CRL is refused.
    expect(
      (
        await verdict({
          entries: [
            { serial, reason: 1 },
            { serial, reason: 4 },
          ],
        })
      ).code,
    ).toBe('ERR_CRL_PROFILE');
    expect((await verdict({ entries: [{ serial: other(2) }, { serial: other(2) }] })).code).toBe(
      'ERR_CRL_PROFILE',
    );
    // The same value with a redundant leading zero octet is the same serial.
    expect(
      (await verdict({ entries: [{ serial: other(3) }, { serial: new Uint8Array([0x00, ...other(3)]) }] }))
        .code,
    ).toBe('ERR_CRL_PROFILE');
  });

  it('entry extensions: critical reasonCode or invalidityDate, unknown reason codes, removeFromCRL on a complete CRL', async () => {
    expect(await verdict({ entries: [{ serial: other(4), reason: 1, reasonCritical: true }] })).toEqual({
      code: 'ERR_CRL_PROFILE',
      rule: '5.3.1',
    });
    expect(await verdict({ entries: [{ serial: other(4), reason: 7 }] })).toEqual({
      code: 'ERR_CRL_PROFILE',
      rule: '5.3.1',
    });
    expect(await verdict({ entries: [{ serial: other(4), reason: 8 }] })).toEqual({
      code: 'ERR_CRL_PROFILE',
      rule: '5.3.1',
    });
    const invalidity = {
      oid: '2.5.29.24',
      critical: true,
      value: tlv(0x18, new TextEncoder().encode('20260101000000Z')),
    };
    expect(await verdict({ entries: [{ serial: other(4), extra: [invalidity] }] })).toEqual({
      code: 'ERR_CRL_PROFILE',
      rule: '5.3.2',
    });
    expect(
      (await verdict({ entries: [{ serial: other(4), extra: [{ ...invalidity, critical: false }] }] })).code,
    ).toBe('resolved');
  });

  it('unknown critical CRL or entry extensions and certificateIssuer entries: ERR_CRL_CRITICAL_EXTENSION', async () => {
    const odd = { oid: '1.3.6.1.4.1.55738.666.1', critical: true, value: encodeOid('1.2') };
    expect((await verdict({ extra: [odd] })).code).toBe('ERR_CRL_CRITICAL_EXTENSION');
    expect((await verdict({ entries: [{ serial: other(5), extra: [odd] }] })).code).toBe(
      'ERR_CRL_CRITICAL_EXTENSION',
    );
    expect(
      (await verdict({ entries: [{ serial: other(5), extra: [{ ...odd, critical: false }] }] })).code,
    ).toBe('resolved');
    const certIssuer = { oid: '2.5.29.29', critical: true, value: ext.generalNames([{ dn: [['CN', 'x']] }]) };
    expect((await verdict({ entries: [{ serial: other(5), extra: [certIssuer] }] })).code).toBe(
      'ERR_CRL_CRITICAL_EXTENSION',
    );
  });

  it('a revoked serial written with a redundant leading zero still revokes', async () => {
    expect((await verdict({ entries: [{ serial: new Uint8Array([0x00, 0x00, ...serial]) }] })).code).toBe(
      'ERR_CHAIN_REVOKED',
    );
  });

  it('structural errors are ERR_CRL_MALFORMED', async () => {
    const good = await forgeCrl({ issuer: root });
    for (const bad of [
      good.subarray(0, good.length - 5),
      concat([good, new Uint8Array([0])]),
      new Uint8Array([0x30, 0x00]),
    ]) {
      expect(await codeOf(Promise.resolve().then(() => parseCrlDer(bad)))).toBe('ERR_CRL_MALFORMED');
    }
    // A revocation date that is not a time.
    const entry = tlv(0x30, concat([tlv(0x02, other(6)), tlv(0x04, new Uint8Array([1]))]));
    expect(() => parseCrlDer(spliceEntry(good, entry))).toThrow(/revocation date/u);
  });

  it('a CRL signature that is not whole octets, or signed with another algorithm than its TBS names: ERR_CRL_INVALID', async () => {
    const good = await forgeCrl({ issuer: root });
    const outer = readTlv(good, 0);
    const [, , bits] = readChildren(good, outer);
    const unusedBits = good.slice();
    unusedBits[bits!.contentStart] = 1;
    expect(
      await codeOf(validatePath(leaf.certificate, { ...opts([]), crls: [parseCrlDer(unusedBits)] })),
    ).toBe('ERR_CRL_INVALID');
    expect((await verdict({ tbsAlgorithm: ECDSA_SHA384 })).code).toBe('ERR_CRL_INVALID');
    expect((await verdict({})).code).toBe('resolved');
  });

  it('a CRL past nextUpdate is stale at whole-second precision', async () => {
    const crl = await forgeCrl({
      issuer: root,
      thisUpdate: new Date(FORGE_NOW.getTime() - DAY),
      nextUpdate: FORGE_NOW,
    });
    const at = (ms: number) =>
      validatePath(leaf.certificate, { ...opts([crl]), time: new Date(FORGE_NOW.getTime() + ms) });
    await expect(at(999)).resolves.toBeDefined();
    expect(await codeOf(at(1000))).toBe('ERR_CRL_STALE');
  });

  it('a CRL without nextUpdate (a NaN horizon: it would never become stale) is refused: ERR_CRL_INVALID', async () => {
    const crl = await forgeCrl({ issuer: root, nextUpdate: null });
    expect(parseCrlDer(crl).nextUpdate).toBeUndefined();
    const r = await rejection(validatePath(leaf.certificate, opts([crl])));
    expect(r.code).toBe('ERR_CRL_INVALID');
    expect(r.message).toContain('has no nextUpdate');
  });
});

describe('the serial index', () => {
  it('looks up every listed serial and nothing else, and parses PEM through parseCrlsIndexed', async () => {
    const entries = Array.from({ length: 500 }, (_, i) => ({
      serial: new Uint8Array([0x01, i >> 8, i & 0xff]),
      reason: i % 3 === 0 ? 6 : undefined,
    }));
    const der = await forgeCrl({ issuer: root, entries });
    const [info] = parseCrlsIndexed(
      `-----BEGIN X509 CRL-----\n${btoa(String.fromCharCode(...der))}\n-----END X509 CRL-----\n`,
    );
    expect(info!.entries.size).toBe(500);
    expect(info!.entries.get('010003')).toEqual({ reasonCode: 6, reason: 'certificateHold' });
    expect(info!.entries.get('010004')).toEqual({ reasonCode: 0, reason: 'unspecified' });
    expect(info!.entries.has('0001f3')).toBe(false);
    expect(info!.entries.has('0101f4')).toBe(false);
    expect([...info!.entries.serials()]).toHaveLength(500);
  });
});

/** `crl` with one more raw entry appended to its revokedCertificates (signature no longer matters here). */
function spliceEntry(crl: Uint8Array, entry: Uint8Array): Uint8Array {
  const outer = readTlv(crl, 0);
  const tbs = readTlv(crl, outer.contentStart);
  const fields: Uint8Array[] = [];
  let inserted = false;
  for (let pos = tbs.contentStart; pos < tbs.end;) {
    const f = readTlv(crl, pos);
    if (f.tag === 0xa0 && !inserted) {
      fields.push(tlv(0x30, entry));
      inserted = true;
    }
    fields.push(crl.subarray(f.start, f.end));
    pos = f.end;
  }
  return tlv(0x30, concat([tlv(0x30, concat(fields)), crl.subarray(tbs.end, outer.end)]));
}
