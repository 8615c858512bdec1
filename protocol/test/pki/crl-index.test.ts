/**
 * The revoked-serial index (crl-index.ts) on its own: a serial must be found whatever the table's collisions, by
 * value (a re-encoded serial with redundant sign octets cannot slip past its entry), and never by a prefix or a
 * different sign (0x0080 is +128, 0x80 is -128: two certificates).
 */
import { describe, expect, it } from 'vitest';
import { SerialIndex } from '../../src/pki/crl-index';

const hex = (bytes: readonly number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');

/** An index over `serials` (byte arrays) laid out one after another in one buffer, as in a CRL. */
function indexOf(
  serials: readonly (readonly number[])[],
  reason = 1,
): { index: SerialIndex; added: boolean[] } {
  const buf = new Uint8Array(serials.flat());
  const index = new SerialIndex(buf, serials.length);
  const added: boolean[] = [];
  let at = 0;
  for (const s of serials) {
    added.push(index.add(at, at + s.length, reason));
    at += s.length;
  }
  return { index, added };
}

describe('SerialIndex', () => {
  it('finds every one of many serials (collisions probed the same way on add and lookup), and nothing else', () => {
    const serials = Array.from({ length: 300 }, (_, i) => [0x10 + (i >> 8), i & 0xff, 0x5a]);
    const { index, added } = indexOf(serials);
    expect(added.every(Boolean)).toBe(true);
    expect(index.size).toBe(300);
    for (const s of serials) expect(index.has(hex(s))).toBe(true);
    expect(index.has('105a')).toBe(false);
    expect(index.has('10005b')).toBe(false);
    expect([...index.serials()]).toEqual(serials.map(hex));
  });

  it('never matches a prefix of a listed serial', () => {
    const serials: number[][] = [];
    for (let a = 1; a < 0x80; a++) serials.push([a, 0x01], [a, 0x02]);
    const { index } = indexOf(serials);
    for (let a = 1; a < 0x80; a++) expect(index.has(hex([a]))).toBe(false);
    // And a listed serial does not match a longer one starting with it.
    expect(index.has('010101')).toBe(false);
  });

  it('compares by value: redundant sign octets are ignored on both sides, meaningful ones are not', () => {
    const { index, added } = indexOf([
      // The one-octet serial 00 first: the octet after it (the next serial) is not part of it.
      [0x00],
      [0x00, 0x00, 0x05],
      [0x00, 0x80],
      [0xff, 0xff, 0x80],
      [0xff, 0x7f],
    ]);
    expect(added).toEqual([true, true, true, true, true]);
    // 0x000005 = 5: listed as 05, 0005, 000005.
    for (const s of ['05', '0005', '000005']) expect(index.has(s)).toBe(true);
    // 0x0080 = +128 and 0xffff80 = -128 (canonical 80) are two serials; 0x80 alone is -128.
    expect(index.has('0080')).toBe(true);
    expect(index.has('80')).toBe(true);
    expect(index.has('ff80')).toBe(true);
    // 0xff7f = -129, not 0x7f = +127.
    expect(index.has('ff7f')).toBe(true);
    expect(index.has('7f')).toBe(false);
    expect(index.has('00')).toBe(true);
    expect(index.has('0000')).toBe(true);
    expect([...index.serials()]).toEqual(['00', '05', '0080', '80', 'ff7f']);
  });

  it('a second entry for the same value is refused, also in another encoding', () => {
    const { index, added } = indexOf([[0x05], [0x00, 0x05], [0x06], [0x05, 0x00]]);
    expect(added).toEqual([true, false, true, true]);
    expect(index.size).toBe(3);
  });

  it('reads hex in either case and with an odd number of digits; anything else is a TypeError', () => {
    const { index } = indexOf([
      [0x0a, 0xbc],
      [0xde, 0xf0],
    ]);
    expect(index.has('ABC')).toBe(true);
    expect(index.has('0abc')).toBe(true);
    expect(index.has('DEF0')).toBe(true);
    expect(index.has('9abc')).toBe(false);
    for (const bad of ['zz', 'g0', '0:', '0/', '0@', '0`'])
      expect(() => index.has(bad)).toThrow(new TypeError('not a hex serial'));
  });

  it('names the reason of an entry, and a reason code outside RFC 5280 by its number', () => {
    expect(indexOf([[0x01]], 6).index.get('01')).toEqual({ reasonCode: 6, reason: 'certificateHold' });
    expect(indexOf([[0x01]], 7).index.get('01')).toEqual({ reasonCode: 7, reason: 'reason7' });
    expect(indexOf([[0x01]], 0).index.get('02')).toBeUndefined();
  });

  it('a serial of more than 255 octets is refused (RangeError), 255 is fine', () => {
    expect(indexOf([new Array<number>(255).fill(0x11)]).added).toEqual([true]);
    expect(() => indexOf([new Array<number>(256).fill(0x11)])).toThrow(
      new RangeError('DER: a serial number of more than 255 octets'),
    );
  });
});
