/**
 * The project's one DER reader. It serves the places where exact bytes or speed matter: the signed TBS part of a
 * certificate or CRL (re-encoding a parsed structure could change it), INTEGER contents (serials, CRL numbers),
 * ECDSA signature values, X.509 times, general names and name constraints, and the one-pass CRL indexer (which
 * walks a million entries without building an object per entry: see {@link readTlvInto}). Small fixed structures
 * (algorithm identifiers, distinguished names) are still decoded with @peculiar/asn1-x509.
 */

/** One DER element: tag byte, the offset of its contents and the offset just past it. */
export interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** Reads the element at `offset`. Throws RangeError on truncated or indefinite-length input. */
export function readTlv(buf: Uint8Array, offset: number): Tlv {
  return readTlvInto(buf, offset, buf.length, { tag: 0, start: 0, contentStart: 0, end: 0 });
}

/**
 * Reads the element at `offset`, which must end by `limit`, into `out` (no allocation: the CRL indexer reuses
 * one Tlv for every entry). Returns `out`. Throws RangeError on truncated, overrunning or indefinite-length input.
 */
export function readTlvInto(buf: Uint8Array, offset: number, limit: number, out: Tlv): Tlv {
  if (offset + 2 > limit) throw new RangeError('DER: truncated element');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new RangeError('DER: high tag numbers are not used here');
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new RangeError('DER: unsupported length form');
    len = 0;
    for (let i = 0; i < n; i++) {
      if (pos >= limit) throw new RangeError('DER: truncated length');
      len = len * 256 + buf[pos++]!;
    }
  }
  const end = pos + len;
  if (end > limit) throw new RangeError('DER: element overruns its container');
  out.tag = tag;
  out.start = offset;
  out.contentStart = pos;
  out.end = end;
  return out;
}

/** Reads the element at `offset` and checks its tag. */
export function expectTlv(buf: Uint8Array, offset: number, limit: number, tag: number, what: string): Tlv {
  const el = readTlvInto(buf, offset, limit, { tag: 0, start: 0, contentStart: 0, end: 0 });
  if (el.tag !== tag)
    throw new RangeError(`DER: ${what} expected (tag 0x${tag.toString(16)}, got 0x${el.tag.toString(16)})`);
  return el;
}

/** The children of a constructed element. */
export function readChildren(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.contentStart;
  while (pos < parent.end) {
    const child = readTlv(buf, pos);
    if (child.end > parent.end) throw new RangeError('DER: element overruns its container');
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** The exact bytes of the first element inside the outer SEQUENCE: the to-be-signed part of a certificate or CRL. */
export function signedPart(der: Uint8Array): Uint8Array {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new RangeError('DER: not a single SEQUENCE');
  const tbs = readTlv(der, outer.contentStart);
  if (tbs.tag !== 0x30) throw new RangeError('DER: the signed part is not a SEQUENCE');
  return der.subarray(tbs.start, tbs.end);
}

/** The contents of an element. */
export function contentOf(buf: Uint8Array, el: Tlv): Uint8Array {
  return buf.subarray(el.contentStart, el.end);
}

/** The whole encoding (tag, length and contents) of an element. */
export function bytesOf(buf: Uint8Array, el: Tlv): Uint8Array {
  return buf.subarray(el.start, el.end);
}

/** DER BOOLEAN value (0x00 or 0xff; anything else is not DER). */
export function readBoolean(buf: Uint8Array, el: Tlv): boolean {
  if (el.tag !== 0x01 || el.end - el.contentStart !== 1) throw new RangeError('DER: not a BOOLEAN');
  const v = buf[el.contentStart]!;
  if (v !== 0x00 && v !== 0xff) throw new RangeError('DER: BOOLEAN is neither 00 nor ff');
  return v === 0xff;
}

/** A small non-negative INTEGER (version numbers, path lengths, reason codes) as a number. */
export function readSmallInt(buf: Uint8Array, el: Tlv, tag = 0x02): number {
  const len = el.end - el.contentStart;
  if (el.tag !== tag || len === 0 || len > 4) throw new RangeError('DER: not a small INTEGER');
  if (buf[el.contentStart]! & 0x80) throw new RangeError('DER: negative INTEGER where a count belongs');
  let v = 0;
  for (let i = el.contentStart; i < el.end; i++) v = v * 256 + buf[i]!;
  return v;
}

/**
 * A named-bit BIT STRING (key usage, reason flags) as flags: bit n of the string is 1 << n. Throws RangeError
 * for an invalid unused-bits count or set padding bits.
 */
export function readNamedBits(buf: Uint8Array, el: Tlv): number {
  const len = el.end - el.contentStart;
  if (el.tag !== 0x03 || len === 0 || len > 5) throw new RangeError('DER: not a named-bit BIT STRING');
  const unused = buf[el.contentStart]!;
  if (unused > 7 || (len === 1 && unused !== 0))
    throw new RangeError('DER: invalid unused bits in a BIT STRING');
  if (len > 1 && buf[el.end - 1]! & ((1 << unused) - 1))
    throw new RangeError('DER: padding bits set in a BIT STRING');
  let flags = 0;
  for (let i = 0; i < (len - 1) * 8; i++)
    if (buf[el.contentStart + 1 + (i >> 3)]! & (0x80 >> (i & 7))) flags |= 1 << i;
  return flags;
}

const digit = (buf: Uint8Array, i: number): number => {
  const c = buf[i]! - 0x30;
  if (c < 0 || c > 9) throw new RangeError('DER: a time holds a non-digit');
  return c;
};
const two = (buf: Uint8Array, i: number): number => digit(buf, i) * 10 + digit(buf, i + 1);

/**
 * An X.509 Time (RFC 5280 4.1.2.5): UTCTime YYMMDDHHMMSSZ (YY >= 50 is 19YY) or GeneralizedTime
 * YYYYMMDDHHMMSSZ, in milliseconds since the epoch. Whole seconds and "Z" only, as the profile requires:
 * fractional seconds, offsets and missing seconds are refused (RangeError).
 */
export function readTime(buf: Uint8Array, el: Tlv): number {
  const len = el.end - el.contentStart;
  let p = el.contentStart;
  let year: number;
  if (el.tag === 0x17 && len === 13) {
    const yy = two(buf, p);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    p += 2;
  } else if (el.tag === 0x18 && len === 15) {
    year = two(buf, p) * 100 + two(buf, p + 2);
    p += 4;
  } else {
    throw new RangeError('DER: a time is neither UTCTime nor GeneralizedTime in whole seconds with Z');
  }
  if (buf[el.end - 1] !== 0x5a) throw new RangeError('DER: a time must end with Z');
  const month = two(buf, p);
  const day = two(buf, p + 2);
  const hour = two(buf, p + 4);
  const minute = two(buf, p + 6);
  const second = two(buf, p + 8);
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear does not.
  d.setUTCFullYear(year, month - 1, day);
  // Date rolls 31 February over into March: such a time is not a time.
  if (
    month < 1 ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new RangeError('DER: a time names a date that does not exist');
  }
  return d.getTime();
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array | ArrayBuffer): string {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Parses a DER INTEGER element (whole TLV) as a bigint (two's complement). */
export function readIntegerValue(der: Uint8Array): bigint {
  const tlv = readTlv(der, 0);
  if (tlv.tag !== 0x02 || tlv.end !== der.length) throw new RangeError('DER: not an INTEGER');
  return integerContent(der.subarray(tlv.contentStart, tlv.end));
}

/** Two's complement big-endian bytes to bigint. */
export function integerContent(bytes: Uint8Array): bigint {
  if (bytes.length === 0) throw new RangeError('DER: empty INTEGER');
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (bytes[0]! & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

/** Unsigned magnitude bytes of an INTEGER's contents (leading zero octets removed). */
function unsignedMagnitude(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/**
 * Converts an ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) into the fixed-size r||s form WebCrypto wants.
 * Returns undefined when the value is malformed or an integer does not fit the field size.
 */
export function ecdsaDerToRaw(sig: Uint8Array, size: number): Uint8Array | undefined {
  try {
    const seq = readTlv(sig, 0);
    if (seq.tag !== 0x30 || seq.end !== sig.length) return undefined;
    const parts = readChildren(sig, seq);
    if (parts.length !== 2) return undefined;
    const out = new Uint8Array(size * 2);
    for (let k = 0; k < 2; k++) {
      const p = parts[k]!;
      if (p.tag !== 0x02) return undefined;
      const content = sig.subarray(p.contentStart, p.end);
      if (content.length === 0 || content[0]! & 0x80) return undefined;
      const mag = unsignedMagnitude(content);
      if (mag.length > size) return undefined;
      out.set(mag, k * size + (size - mag.length));
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Bit length of an RSA modulus inside an RSAPublicKey (SEQUENCE { n INTEGER, e INTEGER }). */
export function rsaModulusBits(rsaPublicKey: Uint8Array): number {
  const seq = readTlv(rsaPublicKey, 0);
  const [n] = readChildren(rsaPublicKey, seq);
  if (!n || n.tag !== 0x02) throw new RangeError('DER: not an RSAPublicKey');
  const mag = unsignedMagnitude(rsaPublicKey.subarray(n.contentStart, n.end));
  if (mag.length === 0 || mag[0] === 0) return 0;
  return (mag.length - 1) * 8 + (32 - Math.clz32(mag[0]!));
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

// --- DER mode -------------------------------------------------------------------------------------------------------
// The reader above accepts BER's non-minimal lengths and integers (other readers of certificates and CRLs may meet
// them and @peculiar/asn1-x509 accepts them too). Input whose exact encoding the CA vouches for (a CSR) is read in
// DER mode instead: one encoding per value (X.690 §10), so no second spelling of the same request exists.

/** The deepest nesting DER mode walks (a CSR needs about 10). */
const DER_MAX_DEPTH = 32;

/** Reads the element at `offset` in DER mode: also refuses a long-form or zero-padded length where a shorter one fits. */
export function readTlvDer(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  const el = readTlv(buf, offset);
  if (el.end > limit) throw new RangeError('DER: element overruns its container');
  const first = buf[offset + 1]!;
  if (first & 0x80) {
    const length = el.end - el.contentStart;
    if (length < 0x80) throw new RangeError('DER: long-form length for a length below 128');
    if (buf[offset + 2] === 0) throw new RangeError('DER: length with a leading zero octet');
  }
  return el;
}

/** The children of a constructed element, each read in DER mode. */
export function readChildrenDer(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.contentStart; pos < parent.end;) {
    const child = readTlvDer(buf, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Refuses an INTEGER that is empty or has a redundant leading 0x00 or 0xff octet (X.690 §8.3.2). */
export function assertDerInteger(buf: Uint8Array, el: Tlv): void {
  if (el.tag !== 0x02) throw new RangeError('DER: not an INTEGER');
  const length = el.end - el.contentStart;
  if (length === 0) throw new RangeError('DER: empty INTEGER');
  if (length > 1) {
    const b0 = buf[el.contentStart]!;
    const b1 = buf[el.contentStart + 1]!;
    if ((b0 === 0x00 && !(b1 & 0x80)) || (b0 === 0xff && b1 & 0x80))
      throw new RangeError('DER: INTEGER with a redundant leading octet');
  }
}

function walkDer(buf: Uint8Array, el: Tlv, depth: number): void {
  if (depth > DER_MAX_DEPTH) throw new RangeError('DER: nested too deeply');
  const tag = el.tag;
  if (tag & 0x20) {
    // Universal constructed types other than SEQUENCE and SET are BER's segmented strings.
    if ((tag & 0xc0) === 0 && tag !== 0x30 && tag !== 0x31)
      throw new RangeError('DER: constructed string encoding');
    for (const child of readChildrenDer(buf, el)) walkDer(buf, child, depth + 1);
    return;
  }
  if (tag === 0x02) assertDerInteger(buf, el);
  else if (tag === 0x01) {
    const v = buf[el.contentStart];
    if (el.end - el.contentStart !== 1 || (v !== 0x00 && v !== 0xff))
      throw new RangeError('DER: BOOLEAN is not 0x00 or 0xff');
  } else if (tag === 0x05 && el.end !== el.contentStart) throw new RangeError('DER: NULL with contents');
}

/**
 * Checks that `buf` is exactly one element in DER: minimal lengths throughout, minimal INTEGERs, canonical BOOLEANs
 * and NULLs, no constructed strings, no trailing bytes. Primitive contents (OCTET and BIT STRINGs) are not entered:
 * check the DER they wrap separately. Throws RangeError otherwise.
 */
export function assertDer(buf: Uint8Array): void {
  const top = readTlvDer(buf, 0);
  if (top.end !== buf.length) throw new RangeError('DER: trailing bytes after the element');
  walkDer(buf, top, 0);
}
