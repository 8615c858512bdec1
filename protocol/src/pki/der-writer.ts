/** A small DER writer shared by the certificate and CRL writers (runtime-neutral, no Buffer). */

function lengthBytes(len: number): number[] {
  if (len < 0x80) return [len];
  const out: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = lengthBytes(content.length);
  const out = new Uint8Array(1 + len.length + content.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** RFC 5280 Time: UTCTime through 2049, GeneralizedTime from 2050 (seconds precision). */
export function encodeTime(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  const rest = `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, ascii(`${pad2(y % 100)}${rest}`));
  return tlv(0x18, ascii(`${y}${rest}`));
}

export function encodeGeneralizedTime(d: Date): Uint8Array {
  const rest = `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
  return tlv(0x18, ascii(`${d.getUTCFullYear()}${rest}`));
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

export function encodeSerial(hex: string): Uint8Array {
  if (hex.length === 0) throw new TypeError('invalid serial: empty');
  let start = 0;
  while (start < hex.length - 1 && hex.charCodeAt(start) === 0x30) start++;
  const digits = hex.length - start;
  const odd = digits % 2;
  const magnitude = (digits + odd) / 2;
  const first = odd
    ? HEX_VALUE[hex.charCodeAt(start)]!
    : (HEX_VALUE[hex.charCodeAt(start)]! << 4) | HEX_VALUE[hex.charCodeAt(start + 1)]!;
  const pad = first & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + magnitude);
  out[0] = 0x02;
  out[1] = pad + magnitude;
  let o = 2 + pad;
  let i = start;
  if (odd) {
    // Beyond ASCII the table has no entry (undefined): not a digit either.
    const v = HEX_VALUE[hex.charCodeAt(i++)];
    if (v === undefined || v < 0) throw new TypeError(`invalid serial: ${hex}`);
    out[o++] = v;
  }
  for (; i < hex.length; i += 2) {
    const hi = HEX_VALUE[hex.charCodeAt(i)]!;
    const lo = HEX_VALUE[hex.charCodeAt(i + 1)]!;
    if (hi < 0 || lo < 0 || hi === undefined || lo === undefined)
      throw new TypeError(`invalid serial: ${hex}`);
    out[o++] = (hi << 4) | lo;
  }
  if (magnitude > 126) throw new TypeError(`serial too long: ${hex}`);
  return out;
}

export function encodeDerInteger(raw: Uint8Array): Uint8Array {
  let i = 0;
  while (i < raw.length - 1 && raw[i] === 0) i++;
  let bytes = raw.subarray(i);
  if (bytes[0]! & 0x80) bytes = concat([new Uint8Array([0]), bytes]);
  return tlv(0x02, bytes);
}

/** WebCrypto signature → X.509 signatureValue bytes (ECDSA: P1363 r||s → DER SEQUENCE of two INTEGERs). */
export function toX509Signature(alg: Algorithm, sig: Uint8Array): Uint8Array {
  if (alg.name !== 'ECDSA') return sig;
  const half = sig.length / 2;
  return tlv(0x30, concat([encodeDerInteger(sig.subarray(0, half)), encodeDerInteger(sig.subarray(half))]));
}
