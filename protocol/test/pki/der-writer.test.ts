/**
 * The DER writer of certificates and CRLs (der-writer.ts): every value it writes is the one DER encoding of that
 * value (minimal lengths and INTEGERs, the RFC 5280 UTCTime/GeneralizedTime split), read back by the project's own
 * reader in DER mode, and a serial that is not hex is refused rather than written as another certificate's number.
 */
import { describe, expect, it } from 'vitest';
import { assertDer, readIntegerValue, readTime, readTlv } from '../../src/pki/der';
import {
  concat,
  encodeDerInteger,
  encodeGeneralizedTime,
  encodeSerial,
  encodeTime,
  tlv,
  toX509Signature,
} from '../../src/pki/der-writer';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

describe('tlv and concat', () => {
  it('writes the short form up to 127 octets and the minimal long form from 128 on', () => {
    expect(hex(tlv(0x04, b()))).toBe('0400');
    expect(hex(tlv(0x04, b(0xaa, 0xbb)))).toBe('0402aabb');
    const lengthOf = (n: number) => hex(tlv(0x04, new Uint8Array(n)).subarray(0, 5));
    expect(lengthOf(127).slice(0, 4)).toBe('047f');
    expect(lengthOf(128).slice(0, 6)).toBe('048180');
    expect(lengthOf(255).slice(0, 6)).toBe('0481ff');
    expect(lengthOf(256).slice(0, 8)).toBe('04820100');
    expect(lengthOf(65_535).slice(0, 8)).toBe('0482ffff');
    expect(lengthOf(65_536).slice(0, 10)).toBe('0483010000');
    for (const n of [0, 127, 128, 255, 256, 65_536]) {
      const der = tlv(0x04, new Uint8Array(n).fill(7));
      expect(() => assertDer(der)).not.toThrow();
      expect(readTlv(der, 0).end).toBe(der.length);
    }
  });

  it('concatenates parts in order', () => {
    expect(hex(concat([]))).toBe('');
    expect(hex(concat([b(1), b(), b(2, 3), b(4)]))).toBe('01020304');
  });
});

describe('times', () => {
  it('writes UTCTime from 1950 through 2049 and GeneralizedTime outside (RFC 5280 §4.1.2.5)', () => {
    const text = (bytes: Uint8Array) => [bytes[0], new TextDecoder().decode(bytes.subarray(2))];
    expect(text(encodeTime(new Date('1950-01-01T00:00:00Z')))).toEqual([0x17, '500101000000Z']);
    expect(text(encodeTime(new Date('2049-12-31T23:59:59Z')))).toEqual([0x17, '491231235959Z']);
    expect(text(encodeTime(new Date('2005-02-03T04:05:06Z')))).toEqual([0x17, '050203040506Z']);
    expect(text(encodeTime(new Date('2026-10-11T12:13:14Z')))).toEqual([0x17, '261011121314Z']);
    expect(text(encodeTime(new Date('2050-01-01T00:00:00Z')))).toEqual([0x18, '20500101000000Z']);
    expect(text(encodeTime(new Date('1949-12-31T23:59:59Z')))).toEqual([0x18, '19491231235959Z']);
    expect(text(encodeGeneralizedTime(new Date('2026-01-02T03:04:05.678Z')))).toEqual([
      0x18,
      '20260102030405Z',
    ]);
    expect(text(encodeGeneralizedTime(new Date('2026-11-12T13:14:15Z')))).toEqual([0x18, '20261112131415Z']);
  });

  it('writes times the reader reads back to the same second', () => {
    for (const iso of [
      '1950-01-01T00:00:00Z',
      '2049-12-31T23:59:59Z',
      '2050-01-01T00:00:00Z',
      '2100-02-28T12:00:00Z',
    ]) {
      const der = encodeTime(new Date(iso));
      expect(readTime(der, readTlv(der, 0))).toBe(Date.parse(iso));
      const g = encodeGeneralizedTime(new Date(iso));
      expect(readTime(g, readTlv(g, 0))).toBe(Date.parse(iso));
    }
  });
});

describe('serials', () => {
  it('writes a hex serial as the minimal positive INTEGER, leading zeros dropped, a 00 added before a high bit', () => {
    const cases: [string, string][] = [
      ['0', '020100'],
      ['00', '020100'],
      ['000', '020100'],
      ['1', '020101'],
      ['0001', '020101'],
      ['7f', '02017f'],
      ['80', '02020080'],
      ['00ff', '020200ff'],
      ['abc', '02020abc'],
      ['ABC', '02020abc'],
      ['fff', '02020fff'],
      ['8000', '0203008000'],
      ['0123456789abcdef', '02080123456789abcdef'],
      ['FEDCBA', '020400fedcba'],
    ];
    for (const [serial, der] of cases) {
      expect(hex(encodeSerial(serial)), serial).toBe(der);
      expect(() => assertDer(encodeSerial(serial))).not.toThrow();
      expect(readIntegerValue(encodeSerial(serial))).toBe(BigInt(`0x${serial}`));
    }
  });

  it('refuses a serial that is not hex, in an even or odd position, ASCII or not (never another number)', () => {
    for (const bad of [
      'g',
      'xy',
      '1g',
      'g1',
      '12g',
      'a g',
      '-1',
      'é',
      'éab',
      'éa',
      'ab\u{1F600}',
      '0x12',
      '1é',
    ])
      expect(() => encodeSerial(bad), bad).toThrow(/invalid serial/u);
  });

  it('refuses an empty serial (an empty INTEGER is not DER)', () => {
    expect(() => encodeSerial('')).toThrow('invalid serial: empty');
  });

  it('writes up to 126 magnitude octets and refuses more (RFC 5280 allows 20)', () => {
    expect(encodeSerial('7f'.repeat(126))).toHaveLength(128);
    expect(encodeSerial('ff'.repeat(126))).toHaveLength(129);
    expect(() => encodeSerial('1'.repeat(253))).toThrow(/serial too long/u);
    expect(() => encodeSerial('7f'.repeat(127))).toThrow(/serial too long/u);
  });
});

describe('INTEGERs and signatures', () => {
  it('writes an unsigned magnitude as the minimal positive INTEGER', () => {
    expect(hex(encodeDerInteger(b(0x00, 0x00, 0x01)))).toBe('020101');
    expect(hex(encodeDerInteger(b(0x00, 0x00)))).toBe('020100');
    expect(hex(encodeDerInteger(b(0x80)))).toBe('02020080');
    expect(hex(encodeDerInteger(b(0x00, 0x80, 0x01)))).toBe('0203008001');
    expect(hex(encodeDerInteger(b(0x7f, 0xff)))).toBe('02027fff');
  });

  it('turns an ECDSA r||s into the X.509 SEQUENCE of two INTEGERs, and passes other signatures through', () => {
    const p1363 = b(0x00, 0x01, 0x80, 0x02);
    expect(hex(toX509Signature({ name: 'ECDSA' }, p1363))).toBe('3008020101' + '0203008002');
    expect(toX509Signature({ name: 'Ed25519' }, p1363)).toBe(p1363);
    expect(toX509Signature({ name: 'RSA-PSS' }, p1363)).toBe(p1363);
  });
});
