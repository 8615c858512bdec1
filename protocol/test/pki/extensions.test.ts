/**
 * The certificate view (extensions.ts, general-names.ts): hostile encodings are coded rejections
 * (ERR_CERT_MALFORMED), never crashes, and a well-formed certificate with thousands of names parses.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/pki/der';
import { certInfo, fingerprint, isCa, keyIdRank } from '../../src/pki/extensions';
import { validatePath, type ValidatePathOptions } from '../../src/pki/validate';
import {
  caExtensions,
  DAY,
  ext,
  FORGE_NOW,
  type Forged,
  forgedPathOptions,
  forgeLeaf,
  forgeRoot,
  type GeneralNameSpec,
  KU_BITS,
  OIDS,
} from './forge';
import { rejection } from './helpers';

let root: Forged;
const opts = (): ValidatePathOptions => forgedPathOptions([root]);

beforeAll(async () => {
  root = await forgeRoot('Extensions Root');
});

describe('hostile extension encodings', () => {
  it('a subjectAltName that is not DER (ASCII bytes) is ERR_CERT_MALFORMED, not a crash', async () => {
    const leaf = await forgeLeaf('leaf', root, {
      san: { oid: OIDS.san, value: new TextEncoder().encode('example.com') },
    });
    const r = await rejection(validatePath(leaf.certificate, opts()));
    expect(r.code).toBe('ERR_CERT_MALFORMED');
    expect(r.message).toContain('cannot be parsed');
  });

  it('truncated, empty or unknown-tag general names are ERR_CERT_MALFORMED', async () => {
    for (const value of [
      new Uint8Array([0x30, 0x05, 0x82, 0x07, 0x61]),
      new Uint8Array([0x30, 0x00]),
      new Uint8Array([0x30, 0x02, 0x89, 0x00]),
      new Uint8Array([0x30, 0x03, 0x82, 0x01, 0x80]),
    ]) {
      const leaf = await forgeLeaf('leaf', root, { san: { oid: OIDS.san, value } });
      expect((await rejection(validatePath(leaf.certificate, opts()))).code).toBe('ERR_CERT_MALFORMED');
    }
  });

  it('malformed name constraints on a CA are ERR_CERT_MALFORMED (the CA cannot be part of a path)', async () => {
    const bad = await forgeRoot('Bad NC Root', {
      extra: [{ oid: OIDS.nc, critical: true, value: new Uint8Array([0x30, 0x03, 0xa2, 0x01, 0x00]) }],
    });
    expect(() => certInfo(bad.certificate)).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_MALFORMED' }) as Error,
    );
  });
});

describe('large certificates', () => {
  it('a well-formed leaf with 2,048 subjectAltNames (directory names among them) parses and validates', async () => {
    const names: GeneralNameSpec[] = [];
    for (let i = 0; i < 2048; i++)
      names.push(
        i % 2 === 0
          ? { dns: `host-${i}.example.com` }
          : {
              dn: [
                ['O', 'Fleet'],
                ['CN', `unit-${i}`],
              ],
            },
      );
    const leaf = await forgeLeaf('leaf', root, { san: { oid: OIDS.san, value: ext.generalNames(names) } });
    expect(certInfo(leaf.certificate).san).toHaveLength(2048);
    const path = await validatePath(leaf.certificate, opts());
    expect(path.chain).toHaveLength(2);
  });
});

describe('the parsed view of a certificate', () => {
  it('reads version, serial, times, keys, names and every extension it processes; parsed once per object', async () => {
    const serial = new Uint8Array([0x00, 0x9a, 0x01]);
    const leaf = await forgeLeaf('leaf', root, {
      serial,
      bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(false) },
      ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(KU_BITS.digitalSignature | 8) },
      eku: { oid: OIDS.eku, value: ext.eku([OIDS.clientAuth, OIDS.serverAuth]) },
      extra: [
        { oid: '1.3.6.1.4.1.55738.666.1', critical: true, value: new Uint8Array([0x05, 0x00]) },
        { oid: '1.3.6.1.4.1.55738.666.2', value: new Uint8Array([0x05, 0x00]) },
        {
          oid: '2.5.29.32',
          critical: true,
          value: new Uint8Array([0x30, 0x06, 0x30, 0x04, 0x06, 0x02, 0x2a, 0x03]),
        },
      ],
    });
    const info = certInfo(leaf.certificate);
    expect(certInfo(leaf.certificate)).toBe(info);
    expect(info).toMatchObject({
      version: 3,
      serial: '009a01',
      subjectKey: '2.5.4.3=s%3Aleaf',
      issuerKey: '2.5.4.3=s%3Aextensions%20root',
      subjectRdns: ['2.5.4.3=s%3Aleaf'],
      selfIssued: false,
      notBefore: FORGE_NOW.getTime() - DAY,
      notAfter: FORGE_NOW.getTime() + 100 * DAY,
      ski: toHex(leaf.ski),
      akiKeyId: toHex(root.ski),
      basicConstraints: { ca: false },
      keyUsage: 9,
      eku: [OIDS.clientAuth, OIDS.serverAuth],
      san: [{ kind: 'dns', value: 'example.com' }],
      unknownCritical: ['1.3.6.1.4.1.55738.666.1'],
    });
    expect(info.innerAlgorithm).toEqual(info.outerAlgorithm);
    expect(toHex(info.innerAlgorithm)).toBe('300a06082a8648ce3d040302');
    expect(info.spkiKey).toBe(toHex(new Uint8Array(leaf.certificate.publicKey.rawData)));
    expect(Object.fromEntries(info.critical)).toEqual({
      [OIDS.bc]: true,
      [OIDS.ku]: true,
      [OIDS.ski]: false,
      [OIDS.aki]: false,
      [OIDS.san]: false,
      [OIDS.eku]: false,
      '1.3.6.1.4.1.55738.666.1': true,
      '1.3.6.1.4.1.55738.666.2': false,
      '2.5.29.32': true,
    });
    const rootInfo = certInfo(root.certificate);
    expect([rootInfo.selfIssued, rootInfo.basicConstraints, isCa(rootInfo), isCa(info)]).toEqual([
      true,
      { ca: true },
      true,
      false,
    ]);
    const withPathLen = await forgeRoot('PathLen Root', caExtensions(3));
    expect(certInfo(withPathLen.certificate).basicConstraints).toEqual({ ca: true, pathLen: 3 });
    // No pathLenConstraint means no pathLen key at all (not one holding undefined).
    expect(rootInfo.basicConstraints).toStrictEqual({ ca: true });
    const fp = await fingerprint(info);
    expect(fp).toBe(
      toHex(await globalThis.crypto.subtle.digest('SHA-256', leaf.der as Uint8Array<ArrayBuffer>)),
    );
    expect(info.fingerprint).toBe(fp);
    expect(await fingerprint(info)).toBe(fp);
    const v1 = await forgeLeaf('v1 leaf', root, { version: 1 });
    expect(certInfo(v1.certificate)).toMatchObject({ version: 1, critical: new Map(), unknownCritical: [] });
  });

  it('each malformed certificate says why it cannot be parsed (ERR_CERT_MALFORMED)', async () => {
    const parseError = async (over: Parameters<typeof forgeLeaf>[2]) => {
      const leaf = await forgeLeaf('bad leaf', root, over);
      try {
        certInfo(leaf.certificate);
      } catch (err) {
        // The parser's own error stays attached for diagnosis.
        expect((err as Error).cause).toBeInstanceOf(Error);
        return [(err as { code?: string }).code, (err as Error).message];
      }
      return ['parsed'];
    };
    const why = (reason: string) => [
      'ERR_CERT_MALFORMED',
      `certificate CN=bad leaf cannot be parsed: ${reason}`,
    ];
    expect(
      await parseError({ extra: [{ oid: OIDS.san, value: ext.generalNames([{ dns: 'x.example' }]) }] }),
    ).toEqual(why(`duplicate extension ${OIDS.san}`));
    expect(await parseError({ version: 1, extensionsInV1: true })).toEqual(
      why('extensions in a certificate that is not v3 (RFC 5280 4.1.2.9)'),
    );
    expect(await parseError({ eku: { oid: OIDS.eku, value: new Uint8Array([0x30, 0x00]) } })).toEqual(
      why('an empty extended key usage (RFC 5280 4.2.1.12: SIZE (1..MAX))'),
    );
    expect(
      await parseError({
        extra: [
          { oid: '2.5.29.31', value: new Uint8Array([0x30, 0x06, 0x30, 0x04, 0x81, 0x02, 0x07, 0x80]) },
        ],
      }),
    ).toEqual(why('a CRL distribution point with neither a name nor a CRL issuer (RFC 5280 4.2.1.13)'));
    // A "v4" or "v0" certificate is no certificate this validator knows the rules of.
    expect(await parseError({ versionInteger: new Uint8Array([0x03]) })).toEqual(
      why('unknown certificate version 4'),
    );
    expect(await parseError({ versionInteger: new Uint8Array([0xff]) })).toEqual(
      why('unknown certificate version 0'),
    );
    // A third time in the validity: which one bounds the certificate would be the parser's guess.
    expect(await parseError({ extraValidityTimes: [FORGE_NOW] })).toEqual(why('DER: malformed validity'));
    const ku = ext.keyUsage(KU_BITS.digitalSignature);
    expect(
      await parseError({ ku: { oid: OIDS.ku, critical: true, value: new Uint8Array([...ku, 0x05, 0x00]) } }),
    ).toEqual(why('trailing data after the key usage'));
    // A distribution point with a name is well formed; one with only a CRL issuer is too.
    const dp = ext.distributionPoints([{ fullName: [{ uri: 'http://crl.example/a.crl' }] }]);
    expect(await parseError({ extra: [{ oid: '2.5.29.31', value: dp }] })).toEqual(['parsed']);
  });

  it('key identifiers only order candidate issuers: matching, unknown, contradicting', async () => {
    const leaf = certInfo((await forgeLeaf('leaf', root)).certificate);
    const issuer = certInfo(root.certificate);
    const other = certInfo((await forgeRoot('Extensions Root')).certificate);
    const noSki = certInfo((await forgeRoot('Extensions Root', { ski: null })).certificate);
    const noAki = certInfo((await forgeLeaf('leaf', root, { aki: null })).certificate);
    expect([
      keyIdRank(leaf, issuer),
      keyIdRank(leaf, noSki),
      keyIdRank(noAki, issuer),
      keyIdRank(leaf, other),
    ]).toEqual([0, 1, 1, 2]);
    // An AKI without a keyIdentifier (issuer and serial only) gives no key id.
    const issuerAndSerial = new Uint8Array([0x30, 0x03, 0x82, 0x01, 0x01]);
    const bare = await forgeLeaf('leaf', root, { aki: { oid: OIDS.aki, value: issuerAndSerial } });
    expect(certInfo(bare.certificate).akiKeyId).toBeUndefined();
  });
});
