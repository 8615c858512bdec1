/** A few DER reads on the CA's hot path (CSR signature check with node:crypto), no allocation beyond subarrays. */

export interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** Reads the element at `offset`. Throws RangeError on truncated input or unsupported length forms. */
export function readTlv(buf: Uint8Array, offset: number): Tlv {
  if (offset + 2 > buf.length) throw new RangeError('DER: truncated element');
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new RangeError('DER: unsupported length form');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++]!;
  }
  if (pos + len > buf.length) throw new RangeError('DER: element overruns its input');
  return { tag, start: offset, contentStart: pos, end: pos + len };
}

/** The children of a constructed element. */
export function readChildren(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.contentStart; pos < parent.end;) {
    const child = readTlv(buf, pos);
    if (child.end > parent.end) throw new RangeError('DER: element overruns its container');
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER element's contents. */
export function decodeOid(buf: Uint8Array, el: Tlv): string {
  if (el.tag !== 0x06) throw new RangeError('DER: not an OBJECT IDENTIFIER');
  const parts: number[] = [];
  let value = 0;
  for (let i = el.contentStart; i < el.end; i++) {
    const b = buf[i]!;
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}
