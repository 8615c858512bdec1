/** DER mode of the one DER reader: one encoding per value. */
import { describe, expect, it } from 'vitest';
import { assertDer, assertDerInteger, readChildrenDer, readTlv, readTlvDer } from '../../src/pki/der';

const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

describe('DER mode', () => {
  it('reads minimal encodings like the lenient reader', () => {
    const seq = b(0x30, 0x06, 0x02, 0x01, 0x05, 0x01, 0x01, 0xff);
    expect(readTlvDer(seq, 0)).toEqual(readTlv(seq, 0));
    expect(readChildrenDer(seq, readTlvDer(seq, 0))).toHaveLength(2);
    expect(() => assertDer(seq)).not.toThrow();
    const long = new Uint8Array(3 + 200);
    long.set([0x04, 0x81, 200]);
    expect(() => assertDer(long)).not.toThrow();
  });

  it('refuses long-form and zero-padded lengths that the lenient reader takes', () => {
    const longForm = b(0x04, 0x81, 0x01, 0xaa);
    expect(readTlv(longForm, 0).end).toBe(4);
    expect(() => readTlvDer(longForm, 0)).toThrow(/long-form length/u);
    const padded = new Uint8Array(4 + 200);
    padded.set([0x04, 0x82, 0x00, 200]);
    expect(() => readTlvDer(padded, 0)).toThrow(/leading zero/u);
  });

  it('refuses non-minimal integers, odd booleans, NULL contents, constructed strings and trailing bytes', () => {
    expect(() =>
      assertDerInteger(b(0x02, 0x02, 0x00, 0x05), readTlv(b(0x02, 0x02, 0x00, 0x05), 0)),
    ).toThrow();
    expect(() => assertDer(b(0x02, 0x02, 0xff, 0x85))).toThrow(/redundant/u);
    expect(() => assertDer(b(0x02, 0x02, 0x00, 0x85))).not.toThrow();
    expect(() => assertDer(b(0x02, 0x00))).toThrow(/empty/u);
    expect(() => assertDer(b(0x30, 0x03, 0x01, 0x01, 0x01))).toThrow(/BOOLEAN/u);
    expect(() => assertDer(b(0x05, 0x01, 0x00))).toThrow(/NULL/u);
    expect(() => assertDer(b(0x24, 0x03, 0x04, 0x01, 0x00))).toThrow(/constructed string/u);
    expect(() => assertDer(b(0x30, 0x00, 0x00))).toThrow(/trailing/u);
    expect(() => assertDer(b(0x30, 0x04, 0x02, 0x02, 0x00, 0x01))).toThrow(/redundant/u);
  });

  it('bounds the nesting depth', () => {
    let el = b(0x05, 0x00);
    for (let i = 0; i < 40; i++) el = Uint8Array.from([0x30, el.length, ...el]);
    expect(() => assertDer(el)).toThrow(/deeply/u);
  });
});
