/**
 * The revoked-serial index of one CRL: an open-addressing hash table over the CRL's own bytes. Each entry is an
 * offset and a length into the DER (the serial's INTEGER contents) plus its reason code, kept in typed arrays, so
 * a CRL of a million entries costs a few flat arrays and no object per entry. Lookups are O(1): hash the serial,
 * probe, compare bytes.
 *
 * Serials are compared by value: redundant leading 00/ff octets (a BER, not DER, encoding) are ignored on both
 * sides, so a re-encoded serial cannot slip past its entry.
 */

import { crlReason } from '../vocabulary/revocation';

/** What a CRL says about one listed serial. */
export interface CrlEntryInfo {
  reasonCode: number;
  reason: string;
}

/** Index of the first octet that carries the value of an INTEGER's contents (sign padding skipped). */
function canonicalStart(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end - 1 && ((buf[i] === 0x00 && buf[i + 1]! < 0x80) || (buf[i] === 0xff && buf[i + 1]! >= 0x80)))
    i++;
  return i;
}

function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h >>> 0;
}

const HEX = '0123456789abcdef';

/** Serials of one CRL, by value, with their reason codes. */
export class SerialIndex {
  readonly #buf: Uint8Array;
  #start: Int32Array;
  #len: Uint8Array;
  #reason: Int8Array;
  #slots: Int32Array;
  #mask: number;
  #size = 0;

  /**
   * `buf`: the CRL DER the serial offsets point into; `capacity`: an upper bound on the number of entries (the
   * byte length of the list over the minimal entry size), so nothing is resized while indexing.
   */
  constructor(buf: Uint8Array, capacity: number) {
    this.#buf = buf;
    this.#start = new Int32Array(capacity);
    this.#len = new Uint8Array(capacity);
    this.#reason = new Int8Array(capacity);
    let slots = 8;
    while (slots < capacity * 2) slots *= 2;
    this.#slots = new Int32Array(slots);
    this.#mask = slots - 1;
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds the serial whose INTEGER contents are buf[start, end) with its reason code. Returns false (and adds
   * nothing) when the same serial value is already listed.
   */
  add(start: number, end: number, reasonCode: number): boolean {
    const buf = this.#buf;
    const s = canonicalStart(buf, start, end);
    const len = end - s;
    if (len > 255) throw new RangeError('DER: a serial number of more than 255 octets');
    let slot = hashBytes(buf, s, end) & this.#mask;
    for (;;) {
      const at = this.#slots[slot]!;
      if (at === 0) break;
      if (this.#equals(at - 1, buf, s, len)) return false;
      slot = (slot + 1) & this.#mask;
    }
    const i = this.#size++;
    this.#start[i] = s;
    this.#len[i] = len;
    this.#reason[i] = reasonCode;
    this.#slots[slot] = i + 1;
    return true;
  }

  #equals(i: number, other: Uint8Array, start: number, len: number): boolean {
    if (this.#len[i] !== len) return false;
    const buf = this.#buf;
    const s = this.#start[i]!;
    for (let k = 0; k < len; k++) if (buf[s + k] !== other[start + k]) return false;
    return true;
  }

  #find(serial: Uint8Array): number {
    const s = canonicalStart(serial, 0, serial.length);
    const len = serial.length - s;
    let slot = hashBytes(serial, s, serial.length) & this.#mask;
    for (;;) {
      const at = this.#slots[slot]!;
      if (at === 0) return -1;
      if (this.#equals(at - 1, serial, s, len)) return at - 1;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** The entry for a serial given as the hex of its INTEGER contents (as CertInfo.serial), if listed. */
  get(serialHex: string): CrlEntryInfo | undefined {
    const i = this.#find(hexToBytes(serialHex));
    if (i < 0) return undefined;
    const reasonCode = this.#reason[i]!;
    return { reasonCode, reason: crlReason(reasonCode)?.name ?? `reason${reasonCode}` };
  }

  /** True when the serial (hex of its INTEGER contents) is listed. */
  has(serialHex: string): boolean {
    return this.#find(hexToBytes(serialHex)) >= 0;
  }

  /** The listed serials as hex (for diagnostics and tests; allocates one string per entry). */
  *serials(): Generator<string> {
    for (let i = 0; i < this.#size; i++) {
      let h = '';
      const s = this.#start[i]!;
      for (let k = 0; k < this.#len[i]!; k++) {
        const b = this.#buf[s + k]!;
        h += HEX[b >> 4]! + HEX[b & 15]!;
      }
      yield h;
    }
  }
}

function nibble(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x57;
  throw new TypeError('not a hex serial');
}

function hexToBytes(hex: string): Uint8Array {
  const odd = hex.length & 1;
  const out = new Uint8Array((hex.length + odd) >> 1);
  let i = 0;
  if (odd) out[i++] = nibble(hex.charCodeAt(0));
  for (let k = odd; k < hex.length; k += 2)
    out[i++] = (nibble(hex.charCodeAt(k)) << 4) | nibble(hex.charCodeAt(k + 1));
  return out;
}
