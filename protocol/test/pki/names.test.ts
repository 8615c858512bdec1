/**
 * Distinguished name comparison (names.ts, RFC 5280 7.1 with RFC 4518 string preparation, simplified): which
 * spellings of a name match (case, spaces, compatibility forms, string types, attribute order inside an RDN) and
 * which do not (another RDN order, another value, bytes of a non-string value), as path building and CRL
 * scoping rely on them.
 */
import '../../src/reflect';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { concat, tlv } from '../../src/pki/der-writer';
import {
  attributeValues,
  generalNameKey,
  nameKey,
  nameKeyWithRdn,
  OID_EMAIL_ADDRESS,
  rdnKeys,
} from '../../src/pki/names';
import { encodeOid } from './forge';

const CN = '2.5.4.3';
const O = '2.5.4.10';
const STRING_TAGS = {
  utf8: 0x0c,
  printable: 0x13,
  teletex: 0x14,
  ia5: 0x16,
  universal: 0x1c,
  bmp: 0x1e,
} as const;
type StringType = keyof typeof STRING_TAGS;

/** One attribute: its type and its value as a string of `type`, or raw DER (a non-string value). */
const atv = (oid: string, value: string | Uint8Array, type: StringType = 'utf8') => {
  let der: Uint8Array;
  if (value instanceof Uint8Array) der = value;
  else if (type === 'bmp')
    der = tlv(
      0x1e,
      new Uint8Array([...value].flatMap((c) => [c.charCodeAt(0) >> 8, c.charCodeAt(0) & 0xff])),
    );
  else if (type === 'universal')
    der = tlv(
      0x1c,
      new Uint8Array([...value].flatMap((c) => [0, 0, c.charCodeAt(0) >> 8, c.charCodeAt(0) & 0xff])),
    );
  else der = tlv(STRING_TAGS[type], new TextEncoder().encode(value));
  return tlv(0x30, concat([encodeOid(oid), der]));
};
const rdn = (...atvs: Uint8Array[]) => tlv(0x31, concat(atvs));
const name = (...rdns: Uint8Array[]): Name => AsnConvert.parse(tlv(0x30, concat(rdns)), Name);
const key = (...rdns: Uint8Array[]) => nameKey(name(...rdns));

describe('distinguished name keys (7.1)', () => {
  it('case, outer and inner runs of space, and compatibility forms do not tell two names apart', () => {
    const base = key(rdn(atv(O, 'Helmlink Fleet')), rdn(atv(CN, 'Issuing CA')));
    expect(key(rdn(atv(O, '  HELMLINK   fleet ')), rdn(atv(CN, 'issuing\tca')))).toBe(base);
    // U+FF29 FULLWIDTH LATIN CAPITAL LETTER I: NFKC folds it to "I".
    expect(key(rdn(atv(O, 'Helmlink Fleet')), rdn(atv(CN, '\uff29ssuing CA')))).toBe(base);
    expect(base).toBe(`${O}=s%3Ahelmlink%20fleet,${CN}=s%3Aissuing%20ca`);
  });

  it('the same text as UTF8String, PrintableString, TeletexString, BMPString, UniversalString or IA5String matches', () => {
    const want = key(rdn(atv(CN, 'Root 1')));
    for (const type of Object.keys(STRING_TAGS) as StringType[]) {
      expect(key(rdn(atv(CN, 'Root 1', type))), type).toBe(want);
    }
  });

  it('another value, another RDN order or an extra RDN is another name (attack: a look-alike issuer)', () => {
    const base = key(rdn(atv(O, 'Fleet')), rdn(atv(CN, 'CA')));
    expect(key(rdn(atv(O, 'Fleet')), rdn(atv(CN, 'CA2')))).not.toBe(base);
    expect(key(rdn(atv(CN, 'CA')), rdn(atv(O, 'Fleet')))).not.toBe(base);
    expect(key(rdn(atv(O, 'Fleet')), rdn(atv(CN, 'CA')), rdn(atv(CN, 'CA')))).not.toBe(base);
    expect(key(rdn(atv(O, 'Fleet'), atv(CN, 'CA')))).not.toBe(base);
    // A separator inside a value cannot forge an RDN boundary.
    expect(key(rdn(atv(O, `Fleet,${CN}=s:ca`)))).not.toBe(base);
  });

  it('a multi-valued RDN is a set: the order of its attributes carries no meaning', () => {
    expect(key(rdn(atv(O, 'Fleet'), atv(CN, 'CA')))).toBe(key(rdn(atv(CN, 'CA'), atv(O, 'Fleet'))));
    expect(rdnKeys(name(rdn(atv(CN, 'CA'), atv(O, 'Fleet')), rdn(atv(CN, 'x'))))).toEqual([
      `${O}=s%3Afleet+${CN}=s%3Aca`,
      `${CN}=s%3Ax`,
    ]);
  });

  it('a non-string value compares by its DER bytes, never equal to a string of the same text', () => {
    const octets = tlv(0x04, new TextEncoder().encode('CA'));
    expect(key(rdn(atv(CN, octets)))).toBe(`${CN}=b%3A04024341`);
    expect(key(rdn(atv(CN, octets)))).not.toBe(key(rdn(atv(CN, 'CA'))));
    expect(nameKey(name())).toBe('');
  });

  it('a name extended by one RDN (nameRelativeToCRLIssuer) equals the longer name', () => {
    const extra = AsnConvert.parse(rdn(atv(CN, 'Part 1')), RelativeDistinguishedName);
    const base = name(rdn(atv(O, 'Fleet')));
    expect(nameKeyWithRdn(base, extra)).toBe(key(rdn(atv(O, 'fleet')), rdn(atv(CN, 'part 1'))));
    expect(nameKeyWithRdn(name(), extra)).toBe(key(rdn(atv(CN, 'Part 1'))));
  });
});

describe('attribute values and general name keys', () => {
  it('every value of an attribute type, as text, in order; non-string values are skipped', () => {
    const n = name(
      rdn(atv(OID_EMAIL_ADDRESS, 'a@fleet.example', 'ia5')),
      rdn(atv(CN, 'x'), atv(OID_EMAIL_ADDRESS, 'b@fleet.example', 'printable')),
      rdn(atv(OID_EMAIL_ADDRESS, tlv(0x04, new Uint8Array([1])))),
      rdn(atv(OID_EMAIL_ADDRESS, 'C@fleet.example', 'bmp')),
    );
    expect(attributeValues(n, OID_EMAIL_ADDRESS)).toEqual([
      'a@fleet.example',
      'b@fleet.example',
      'C@fleet.example',
    ]);
    expect(attributeValues(n, CN)).toEqual(['x']);
    expect(attributeValues(n, O)).toEqual([]);
    for (const type of ['utf8', 'teletex', 'universal'] as const) {
      expect(attributeValues(name(rdn(atv(CN, 'v', type))), CN), type).toEqual(['v']);
    }
  });

  it('general names compare by form and value: directory names by their key, DNS names without case', () => {
    const gn = (der: Uint8Array) => generalNameKey(AsnConvert.parse(der, GeneralName));
    expect(gn(tlv(0xa4, tlv(0x30, rdn(atv(CN, 'CRL Issuer')))))).toBe(`dn:${CN}=s%3Acrl%20issuer`);
    expect(gn(tlv(0x86, new TextEncoder().encode('http://crl.example/A.crl')))).toBe(
      'uri:http://crl.example/A.crl',
    );
    expect(gn(tlv(0x82, new TextEncoder().encode('CRL.Example')))).toBe('dns:crl.example');
    expect(gn(tlv(0x81, new TextEncoder().encode('CRL@Example')))).toBe('email:CRL@Example');
    expect(gn(tlv(0x87, new Uint8Array([192, 0, 2, 1])))).toBe('ip:192.0.2.1');
    expect(gn(tlv(0x88, new Uint8Array([0x2a, 0x03])))).toBe('oid:1.2.3');
    expect(gn(tlv(0xa0, concat([encodeOid('1.2.3'), tlv(0xa0, new Uint8Array([0x05, 0x00]))])))).toBe(
      'der:a00806022a03a0020500',
    );
  });
});
