/**
 * The one DER reader (der.ts), byte by byte: every malformed or hostile encoding a certificate, CRL, CSR or
 * signature could carry is refused with a RangeError (or `undefined` where the reader says so), and every edge of a
 * well-formed one is read exactly.
 */
import { describe, expect, it } from 'vitest';
import {
  assertDer,
  assertDerInteger,
  bytesOf,
  contentOf,
  decodeOid,
  ecdsaDerToRaw,
  expectTlv,
  integerContent,
  readBoolean,
  readChildren,
  readChildrenDer,
  readIntegerValue,
  readNamedBits,
  readSmallInt,
  readTime,
  readTlv,
  readTlvDer,
  readTlvInto,
  rsaModulusBits,
  signedPart,
  toHex,
} from '../../src/pki/der';

const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);
const tlv = (tag: number, ...content: number[]): number[] => [tag, content.length, ...content];
const el = (...bytes: number[]) => {
  const buf = b(...bytes);
  return { buf, tlv: readTlv(buf, 0) };
};

describe('readTlv / readTlvInto', () => {
  it('reads an element that ends exactly at the end of its buffer or limit', () => {
    expect(readTlv(b(0x05, 0x00), 0)).toEqual({ tag: 0x05, start: 0, contentStart: 2, end: 2 });
    expect(readTlv(b(0xff, 0x04, 0x01, 0xaa), 1)).toEqual({ tag: 0x04, start: 1, contentStart: 3, end: 4 });
    const out = { tag: 0, start: 0, contentStart: 0, end: 0 };
    expect(readTlvInto(b(0x04, 0x01, 0xaa, 0x00), 0, 3, out)).toBe(out);
    expect(out).toEqual({ tag: 0x04, start: 0, contentStart: 2, end: 3 });
  });

  it('refuses an element cut before its length octet (truncated input)', () => {
    expect(() => readTlv(b(0x30), 0)).toThrow(/truncated element/u);
    expect(() => readTlvInto(b(0x05, 0x00), 0, 1, readTlv(b(0x05, 0x00), 0))).toThrow(/truncated element/u);
    expect(() => readTlv(b(0x05, 0x00), 1)).toThrow(/truncated element/u);
  });

  it('refuses a high tag number (0x1f low bits), whatever its class', () => {
    expect(() => readTlv(b(0x1f, 0x01, 0x00), 0)).toThrow(/high tag/u);
    expect(() => readTlv(b(0x9f, 0x01, 0x00), 0)).toThrow(/high tag/u);
    expect(() => readTlv(b(0x3f, 0x01, 0x00), 0)).toThrow(/high tag/u);
    expect(readTlv(b(0x1e, 0x00), 0).tag).toBe(0x1e);
    expect(readTlv(b(0x9e, 0x00), 0).tag).toBe(0x9e);
  });

  it('reads long-form lengths of one to four octets', () => {
    const one = new Uint8Array(3 + 200);
    one.set([0x04, 0x81, 200]);
    expect(readTlv(one, 0)).toMatchObject({ contentStart: 3, end: 203 });
    const two = new Uint8Array(4 + 0x0102);
    two.set([0x04, 0x82, 0x01, 0x02]);
    expect(readTlv(two, 0)).toMatchObject({ contentStart: 4, end: 4 + 0x0102 });
    expect(readTlv(b(0x04, 0x84, 0x00, 0x00, 0x00, 0x01, 0xaa), 0)).toMatchObject({
      contentStart: 6,
      end: 7,
    });
  });

  it('refuses the indefinite length (BER) and lengths of more than four octets', () => {
    expect(() => readTlv(b(0x30, 0x80, 0x00, 0x00), 0)).toThrow(/unsupported length form/u);
    expect(() => readTlv(b(0x04, 0x85, 0x00, 0x00, 0x00, 0x00, 0x01, 0xaa), 0)).toThrow(
      /unsupported length form/u,
    );
  });

  it('refuses a length whose octets are cut off by the limit', () => {
    expect(() => readTlv(b(0x04, 0x82, 0x01), 0)).toThrow(/truncated length/u);
    // The length octets lie in the buffer but past the container's limit.
    expect(() =>
      readTlvInto(b(0x04, 0x81, 0x00), 0, 2, { tag: 0, start: 0, contentStart: 0, end: 0 }),
    ).toThrow(/truncated length/u);
  });

  it('refuses contents that run past the limit by one octet', () => {
    expect(() => readTlv(b(0x04, 0x02, 0xaa), 0)).toThrow(/overruns/u);
    expect(() =>
      readTlvInto(b(0x04, 0x02, 0xaa, 0xbb), 0, 3, { tag: 0, start: 0, contentStart: 0, end: 0 }),
    ).toThrow(/overruns/u);
  });
});

describe('expectTlv, readChildren, signedPart, contentOf, bytesOf', () => {
  it('checks the tag and names what was expected and what came', () => {
    const buf = b(0x02, 0x01, 0x05);
    expect(expectTlv(buf, 0, 3, 0x02, 'serial')).toMatchObject({ tag: 0x02, end: 3 });
    expect(() => expectTlv(buf, 0, 3, 0x30, 'a SEQUENCE')).toThrow(
      'DER: a SEQUENCE expected (tag 0x30, got 0x2)',
    );
    expect(() => expectTlv(buf, 0, 2, 0x02, 'serial')).toThrow(/overruns/u);
  });

  it('lists the children of a constructed element, and refuses a child running past its parent', () => {
    const { buf, tlv: seq } = el(0x30, 0x06, ...tlv(0x02, 0x05), ...tlv(0x01, 0xff));
    expect(readChildren(buf, seq).map((c) => [c.tag, c.start, c.end])).toEqual([
      [0x02, 2, 5],
      [0x01, 5, 8],
    ]);
    expect(readChildren(b(0x30, 0x00), readTlv(b(0x30, 0x00), 0))).toEqual([]);
    // The parent claims 2 octets; its child claims 4 (the buffer has them).
    const overrun = b(0x30, 0x02, 0x04, 0x02, 0xaa, 0xbb);
    expect(() => readChildren(overrun, { tag: 0x30, start: 0, contentStart: 2, end: 4 })).toThrow(
      /overruns its container/u,
    );
  });

  it('returns the exact to-be-signed bytes, and refuses what is not one SEQUENCE holding a SEQUENCE first', () => {
    const der = b(0x30, 0x07, ...tlv(0x30, 0x02, 0x01, 0x07), ...tlv(0x05));
    expect([...signedPart(der)]).toEqual([0x30, 0x03, 0x02, 0x01, 0x07]);
    expect(() => signedPart(b(0x31, 0x02, 0x30, 0x00))).toThrow(/not a single SEQUENCE/u);
    expect(() => signedPart(b(0x30, 0x02, 0x30, 0x00, 0x00))).toThrow(/not a single SEQUENCE/u);
    expect(() => signedPart(b(0x30, 0x02, 0x31, 0x00))).toThrow(/signed part is not a SEQUENCE/u);
  });

  it('gives the contents and the whole encoding of an element as views', () => {
    const { buf, tlv: t } = el(0x04, 0x02, 0xaa, 0xbb);
    expect([...contentOf(buf, t)]).toEqual([0xaa, 0xbb]);
    expect([...bytesOf(buf, t)]).toEqual([0x04, 0x02, 0xaa, 0xbb]);
  });
});

describe('BOOLEAN, small INTEGER and named bits', () => {
  it('reads BOOLEAN 00 and ff only, one octet, tag 01', () => {
    const t = el(0x01, 0x01, 0xff);
    expect(readBoolean(t.buf, t.tlv)).toBe(true);
    const f = el(0x01, 0x01, 0x00);
    expect(readBoolean(f.buf, f.tlv)).toBe(false);
    for (const bad of [el(0x01, 0x01, 0x01), el(0x01, 0x01, 0x80), el(0x01, 0x01, 0xfe)])
      expect(() => readBoolean(bad.buf, bad.tlv)).toThrow(/neither 00 nor ff/u);
    for (const bad of [el(0x01, 0x02, 0xff, 0xff), el(0x01, 0x00), el(0x02, 0x01, 0xff)])
      expect(() => readBoolean(bad.buf, bad.tlv)).toThrow(/not a BOOLEAN/u);
  });

  it('reads a small non-negative INTEGER of one to four octets, with an implicit tag when asked', () => {
    const one = el(0x02, 0x01, 0x7f);
    expect(readSmallInt(one.buf, one.tlv)).toBe(127);
    const four = el(0x02, 0x04, 0x7f, 0xff, 0xff, 0xfe);
    expect(readSmallInt(four.buf, four.tlv)).toBe(0x7ffffffe);
    const two = el(0x02, 0x02, 0x01, 0x00);
    expect(readSmallInt(two.buf, two.tlv)).toBe(256);
    const implicit = el(0x80, 0x01, 0x03);
    expect(readSmallInt(implicit.buf, implicit.tlv, 0x80)).toBe(3);
    expect(() => readSmallInt(implicit.buf, implicit.tlv)).toThrow(/not a small INTEGER/u);
    expect(() => readSmallInt(one.buf, one.tlv, 0x80)).toThrow(/not a small INTEGER/u);
  });

  it('refuses an empty, a five-octet or a negative count (a path length of -1 is not "unlimited")', () => {
    const empty = el(0x02, 0x00);
    expect(() => readSmallInt(empty.buf, empty.tlv)).toThrow(/not a small INTEGER/u);
    const five = el(0x02, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01);
    expect(() => readSmallInt(five.buf, five.tlv)).toThrow(/not a small INTEGER/u);
    const negative = el(0x02, 0x01, 0x80);
    expect(() => readSmallInt(negative.buf, negative.tlv)).toThrow(/negative/u);
  });

  it('reads named bits: bit n of the string is flag 1 << n, across octets', () => {
    // keyUsage digitalSignature (bit 0) + keyCertSign (bit 5): 0b10000100, 2 unused bits.
    const ku = el(0x03, 0x02, 0x02, 0x84);
    expect(readNamedBits(ku.buf, ku.tlv)).toBe((1 << 0) | (1 << 5));
    // decipherOnly is bit 8: the first bit of a second octet, 7 unused bits.
    const decipher = el(0x03, 0x03, 0x07, 0x00, 0x80);
    expect(readNamedBits(decipher.buf, decipher.tlv)).toBe(1 << 8);
    const all = el(0x03, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff);
    expect(readNamedBits(all.buf, all.tlv)).toBe(-1);
    // Only the element's own octets count, never the byte after it.
    const followed = b(0x03, 0x02, 0x00, 0x80, 0xff, 0xff);
    expect(readNamedBits(followed, readTlv(followed, 0))).toBe(1);
    const none = el(0x03, 0x01, 0x00);
    expect(readNamedBits(none.buf, none.tlv)).toBe(0);
  });

  it('refuses a bit string that is empty, too long, wrongly tagged, or whose unused-bit count lies', () => {
    for (const bad of [el(0x03, 0x00), el(0x03, 0x06, 0, 0, 0, 0, 0, 0), el(0x04, 0x02, 0x00, 0x80)])
      expect(() => readNamedBits(bad.buf, bad.tlv)).toThrow(/not a named-bit BIT STRING/u);
    for (const bad of [el(0x03, 0x02, 0x08, 0x00), el(0x03, 0x01, 0x01)])
      expect(() => readNamedBits(bad.buf, bad.tlv)).toThrow(/invalid unused bits/u);
  });

  it('refuses set padding bits (a second encoding of the same flags)', () => {
    const padded = el(0x03, 0x02, 0x02, 0x85);
    expect(() => readNamedBits(padded.buf, padded.tlv)).toThrow(/padding bits set/u);
    const top = el(0x03, 0x02, 0x07, 0x81);
    expect(() => readNamedBits(top.buf, top.tlv)).toThrow(/padding bits set/u);
    const last = el(0x03, 0x02, 0x01, 0x01);
    expect(() => readNamedBits(last.buf, last.tlv)).toThrow(/padding bits set/u);
    const clean = el(0x03, 0x02, 0x01, 0xfe);
    expect(readNamedBits(clean.buf, clean.tlv)).toBe(0x7f);
  });
});

describe('readTime', () => {
  const ascii = (tag: number, s: string) => {
    const buf = b(tag, s.length, ...new TextEncoder().encode(s));
    return readTime(buf, readTlv(buf, 0));
  };

  it('reads UTCTime with the 1950 pivot and GeneralizedTime, in whole seconds', () => {
    expect(ascii(0x17, '491231235959Z')).toBe(Date.UTC(2049, 11, 31, 23, 59, 59));
    expect(ascii(0x17, '500101000000Z')).toBe(Date.UTC(1950, 0, 1, 0, 0, 0));
    expect(ascii(0x18, '20500101000000Z')).toBe(Date.UTC(2050, 0, 1));
    expect(ascii(0x18, '99991231235959Z')).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
    // Years below 100 stay what they say (Date.UTC alone would read 0099 as 1999).
    expect(ascii(0x18, '00990615120000Z')).toBe(new Date('0099-06-15T12:00:00Z').getTime());
    expect(ascii(0x17, '240229120000Z')).toBe(Date.UTC(2024, 1, 29, 12));
  });

  it('refuses other lengths, other tags, offsets and a missing Z', () => {
    expect(() => ascii(0x17, '4912312359Z')).toThrow(/neither UTCTime nor GeneralizedTime/u);
    expect(() => ascii(0x17, '20491231235959Z')).toThrow(/neither/u);
    expect(() => ascii(0x18, '491231235959Z')).toThrow(/neither/u);
    expect(() => ascii(0x18, '20491231235959.5Z')).toThrow(/neither/u);
    expect(() => ascii(0x04, '491231235959Z')).toThrow(/neither/u);
    expect(() => ascii(0x17, '4912312359590')).toThrow(/end with Z/u);
    expect(() => ascii(0x18, '204912312359590')).toThrow(/end with Z/u);
  });

  it('refuses a non-digit, including the neighbours of 0 and 9', () => {
    expect(() => ascii(0x17, '/91231235959Z')).toThrow(/non-digit/u);
    expect(() => ascii(0x17, '4:1231235959Z')).toThrow(/non-digit/u);
    expect(() => ascii(0x17, '49123123595:Z')).toThrow(/non-digit/u);
    expect(() => ascii(0x18, '2:491231235959Z')).toThrow(/non-digit/u);
    expect(() => ascii(0x18, '20/91231235959Z')).toThrow(/non-digit/u);
  });

  it('refuses dates and times that do not exist (month 0 or 13, 30 February, 24:00, :60)', () => {
    for (const t of [
      '490001000000Z',
      '491301000000Z',
      '490230000000Z',
      '230229000000Z',
      '490100000000Z',
      '490132000000Z',
      '490101240000Z',
      '490101006000Z',
      '490101000060Z',
    ])
      expect(() => ascii(0x17, t), t).toThrow(/does not exist/u);
  });
});

describe('hex, INTEGERs, ECDSA signatures, RSA moduli, OIDs', () => {
  it('writes lowercase hex, two digits per octet, from bytes or an ArrayBuffer', () => {
    expect(toHex(b(0x00, 0x0a, 0xff))).toBe('000aff');
    expect(toHex(b(0x01, 0xab).buffer as ArrayBuffer)).toBe('01ab');
    expect(toHex(new Uint8Array(0))).toBe('');
  });

  it('reads an INTEGER as a two’s complement bigint, and refuses another tag or trailing bytes', () => {
    expect(readIntegerValue(b(0x02, 0x01, 0x7f))).toBe(127n);
    expect(readIntegerValue(b(0x02, 0x01, 0x80))).toBe(-128n);
    expect(readIntegerValue(b(0x02, 0x02, 0x00, 0x80))).toBe(128n);
    expect(readIntegerValue(b(0x02, 0x02, 0xff, 0x7f))).toBe(-129n);
    expect(() => readIntegerValue(b(0x04, 0x01, 0x01))).toThrow(/not an INTEGER/u);
    expect(() => readIntegerValue(b(0x02, 0x01, 0x01, 0x00))).toThrow(/not an INTEGER/u);
    expect(() => integerContent(new Uint8Array(0))).toThrow(/empty INTEGER/u);
    expect(integerContent(b(0x01, 0x00, 0x00))).toBe(65536n);
  });

  it('converts an ECDSA-Sig-Value to r||s, and refuses every malformed shape', () => {
    const raw = (hex: string, size: number) => {
      const out = ecdsaDerToRaw(Uint8Array.from(Buffer.from(hex, 'hex')), size);
      return out && Buffer.from(out).toString('hex');
    };
    expect(raw('3006020101020102', 2)).toBe('00010002');
    expect(raw('30080202010202020304', 2)).toBe('01020304');
    expect(raw('3006020100020100', 1)).toBe('0000');
    expect(raw('3106020101020102', 2)).toBeUndefined(); // a SET
    expect(raw('3003020101', 2)).toBeUndefined(); // r only
    expect(raw('3009020101020102020103', 2)).toBeUndefined(); // r, s and one more
    expect(raw('3006020101040102', 2)).toBeUndefined(); // s not an INTEGER
    expect(raw('3006040101020102', 2)).toBeUndefined(); // r not an INTEGER
    expect(raw('30050201010200', 2)).toBeUndefined(); // s empty
    expect(raw('30050200020101', 2)).toBeUndefined(); // r empty
    expect(raw('3006020181020101', 2)).toBeUndefined(); // r negative
    expect(raw('300702020102020101', 1)).toBeUndefined(); // r wider than the field
    expect(raw('3005020101', 2)).toBeUndefined(); // truncated: the reader throws
    expect(raw('300602010102010200', 2)).toBeUndefined(); // a byte after the SEQUENCE
    expect(raw('3008020101020301aabb', 2)).toBeUndefined(); // s wider than the field (it would overwrite r)
  });

  it('measures an RSA modulus in bits, leading zero octets aside', () => {
    const key = (modulus: number[]) =>
      b(0x30, modulus.length + 5, 0x02, modulus.length, ...modulus, 0x02, 0x01, 0x03);
    expect(rsaModulusBits(key([0x00, 0x80, 0x00]))).toBe(16);
    expect(rsaModulusBits(key([0x7f, 0xff]))).toBe(15);
    expect(rsaModulusBits(key([0x01]))).toBe(1);
    expect(rsaModulusBits(key([0x00, 0x00, 0x01, 0x00]))).toBe(9);
    expect(rsaModulusBits(key([0x00]))).toBe(0);
    expect(rsaModulusBits(key([]))).toBe(0);
    expect(() => rsaModulusBits(b(0x30, 0x03, 0x04, 0x01, 0x01))).toThrow(/not an RSAPublicKey/u);
    expect(() => rsaModulusBits(b(0x30, 0x00))).toThrow(/not an RSAPublicKey/u);
  });

  it('decodes OIDs in every first arc, with multi-octet arcs', () => {
    const oid = (...content: number[]) => {
      const buf = b(0x06, content.length, ...content);
      return decodeOid(buf, readTlv(buf, 0));
    };
    expect(oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b)).toBe('1.2.840.113549.1.1.11');
    expect(oid(0x55, 0x1d, 0x13)).toBe('2.5.29.19');
    expect(oid(0x00)).toBe('0.0');
    expect(oid(0x27)).toBe('0.39');
    expect(oid(0x28)).toBe('1.0');
    expect(oid(0x4f)).toBe('1.39');
    expect(oid(0x50)).toBe('2.0');
    expect(oid(0x88, 0x37, 0x03)).toBe('2.999.3');
    const notOid = b(0x04, 0x01, 0x2a);
    expect(() => decodeOid(notOid, readTlv(notOid, 0))).toThrow(/not an OBJECT IDENTIFIER/u);
  });
});

describe('DER mode, at its boundaries', () => {
  it('takes the long form from 128 octets on, and refuses it below', () => {
    const at128 = new Uint8Array(3 + 128);
    at128.set([0x04, 0x81, 0x80]);
    expect(readTlvDer(at128, 0).end).toBe(131);
    const at127 = new Uint8Array(3 + 127);
    at127.set([0x04, 0x81, 0x7f]);
    expect(() => readTlvDer(at127, 0)).toThrow(/long-form length for a length below 128/u);
    const twoOctets = new Uint8Array(4 + 256);
    twoOctets.set([0x04, 0x82, 0x01, 0x00]);
    expect(readTlvDer(twoOctets, 0).end).toBe(260);
  });

  it('refuses an element running past the limit it is given', () => {
    const buf = b(0x30, 0x03, 0x04, 0x01, 0xaa);
    expect(readTlvDer(buf, 2, 5).end).toBe(5);
    expect(() => readTlvDer(buf, 2, 4)).toThrow(/overruns its container/u);
    // The children of a SEQUENCE that is shorter than its last child.
    expect(() =>
      readChildrenDer(b(0x30, 0x02, 0x04, 0x02, 0xaa, 0xbb), {
        tag: 0x30,
        start: 0,
        contentStart: 2,
        end: 4,
      }),
    ).toThrow(/overruns/u);
  });

  it('takes minimal INTEGERs whose first octet is 00 or ff for a reason', () => {
    for (const ok of [
      [0x02, 0x01, 0x00],
      [0x02, 0x01, 0xff],
      [0x02, 0x02, 0x00, 0x80],
      [0x02, 0x02, 0xff, 0x7f],
    ]) {
      const buf = b(...ok);
      expect(() => assertDerInteger(buf, readTlv(buf, 0))).not.toThrow();
      expect(() => assertDer(buf)).not.toThrow();
    }
    const padded = b(0x02, 0x02, 0xff, 0x80);
    expect(() => assertDerInteger(padded, readTlv(padded, 0))).toThrow(/redundant leading octet/u);
    const notInteger = b(0x04, 0x01, 0x00);
    expect(() => assertDerInteger(notInteger, readTlv(notInteger, 0))).toThrow(/not an INTEGER/u);
  });

  it('checks every nested element: BOOLEAN and NULL inside a SET and a context tag, at depth 32 but not 33', () => {
    expect(() => assertDer(b(0x31, 0x03, 0x01, 0x01, 0xff))).not.toThrow();
    expect(() => assertDer(b(0x31, 0x03, 0x01, 0x01, 0x00))).not.toThrow();
    expect(() => assertDer(b(0xa0, 0x03, 0x01, 0x01, 0x7f))).toThrow(/BOOLEAN/u);
    expect(() => assertDer(b(0xa0, 0x04, 0x01, 0x02, 0xff, 0xff))).toThrow(/BOOLEAN/u);
    expect(() => assertDer(b(0x30, 0x02, 0x01, 0x00))).toThrow(/BOOLEAN/u);
    expect(() => assertDer(b(0x31, 0x03, 0x05, 0x01, 0x00))).toThrow(/NULL with contents/u);
    expect(() => assertDer(b(0x30, 0x02, 0x05, 0x00))).not.toThrow();
    expect(() => assertDer(b(0x30, 0x04, 0x02, 0x02, 0xff, 0x80))).toThrow(/redundant/u);
    // An application- or private-class constructed element is not a segmented string.
    expect(() => assertDer(b(0x64, 0x03, 0x04, 0x01, 0x00))).not.toThrow();
    expect(() => assertDer(b(0xe4, 0x03, 0x04, 0x01, 0x00))).not.toThrow();
    expect(() => assertDer(b(0x23, 0x03, 0x03, 0x01, 0x00))).toThrow(/constructed string/u);
    const nest = (depth: number) => {
      let out = b(0x05, 0x00);
      for (let i = 0; i < depth; i++) out = Uint8Array.from([0x30, out.length, ...out]);
      return out;
    };
    expect(() => assertDer(nest(32))).not.toThrow();
    expect(() => assertDer(nest(33))).toThrow(/nested too deeply/u);
  });

  it('refuses a long-form length at the top and trailing bytes after it', () => {
    expect(() => assertDer(b(0x05, 0x81, 0x00))).toThrow(/long-form/u);
    expect(() => assertDer(b(0x05, 0x00, 0x05, 0x00))).toThrow(/trailing bytes/u);
  });
});
