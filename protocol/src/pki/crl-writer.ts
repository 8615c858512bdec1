/**
 * A direct DER writer for large CRLs. @peculiar/x509's CRL generator slows down sharply with the number of
 * entries (~7 s for 10,000 here), so the revoked-certificates list is encoded here in one pass: a template CRL
 * without entries (from the generator: version, signature algorithm, issuer, times, extensions) is re-assembled
 * with the entries spliced in, and the new TBSCertList is signed with WebCrypto.
 */
import '../reflect';
import type * as x509 from '@peculiar/x509';
import { readChildren, readTlv } from './der';

/**
 * Parse options for CRLs we built ourselves: asn1js stops at 10,000 nodes by default (about 1,500 CRL entries),
 * far below what a fleet CA can revoke. Only for trusted input.
 */
export const LARGE_CRL_PARSE_OPTIONS = { berOptions: { maxNodes: 50_000_000, maxContentLength: 512 * 1024 * 1024 } };

export interface CrlWriterEntry {
  /** Hex serial (positive). */
  serial: string;
  revokedAt: Date;
  /** RFC 5280 reason code; undefined or 0 = no reasonCode extension. */
  reason?: number;
  invalidityDate?: Date;
}

function lengthBytes(len: number): number[] {
  if (len < 0x80) return [len];
  const out: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
  return [0x80 | out.length, ...out];
}

function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = lengthBytes(content.length);
  const out = new Uint8Array(1 + len.length + content.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
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
function encodeTime(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  const rest = `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, ascii(`${pad2(y % 100)}${rest}`));
  return tlv(0x18, ascii(`${y}${rest}`));
}

function encodeGeneralizedTime(d: Date): Uint8Array {
  const rest = `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
  return tlv(0x18, ascii(`${d.getUTCFullYear()}${rest}`));
}

function encodeSerial(hex: string): Uint8Array {
  let h = hex.replace(/^0+/u, '').toLowerCase();
  if (!/^[0-9a-f]*$/u.test(h)) throw new TypeError(`invalid serial: ${hex}`);
  if (h.length === 0) h = '00';
  if (h.length % 2) h = `0${h}`;
  if (parseInt(h[0]!, 16) >= 8) h = `00${h}`;
  const bytes = new Uint8Array(h.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return tlv(0x02, bytes);
}

// Extension OIDs (DER of the OBJECT IDENTIFIER element).
const OID_REASON = new Uint8Array([0x06, 0x03, 0x55, 0x1d, 0x15]);
const OID_INVALIDITY = new Uint8Array([0x06, 0x03, 0x55, 0x1d, 0x18]);
const reasonExtensions = new Map<number, Uint8Array>();

function reasonExtension(reason: number): Uint8Array {
  let ext = reasonExtensions.get(reason);
  if (!ext) {
    ext = tlv(0x30, concat([OID_REASON, tlv(0x04, tlv(0x0a, new Uint8Array([reason])))]));
    reasonExtensions.set(reason, ext);
  }
  return ext;
}

function encodeEntry(e: CrlWriterEntry): Uint8Array {
  const exts: Uint8Array[] = [];
  if (e.reason !== undefined && e.reason !== 0) exts.push(reasonExtension(e.reason));
  if (e.invalidityDate) exts.push(tlv(0x30, concat([OID_INVALIDITY, tlv(0x04, encodeGeneralizedTime(e.invalidityDate))])));
  const parts = [encodeSerial(e.serial), encodeTime(e.revokedAt)];
  if (exts.length) parts.push(tlv(0x30, concat(exts)));
  return tlv(0x30, concat(parts));
}

function encodeDerInteger(raw: Uint8Array): Uint8Array {
  let i = 0;
  while (i < raw.length - 1 && raw[i] === 0) i++;
  let bytes = raw.subarray(i);
  if (bytes[0]! & 0x80) bytes = concat([new Uint8Array([0]), bytes]);
  return tlv(0x02, bytes);
}

/** WebCrypto signature → X.509 signatureValue bytes (ECDSA: P1363 r||s → DER SEQUENCE of two INTEGERs). */
function toX509Signature(alg: Algorithm, sig: Uint8Array): Uint8Array {
  if (alg.name !== 'ECDSA') return sig;
  const half = sig.length / 2;
  return tlv(0x30, concat([encodeDerInteger(sig.subarray(0, half)), encodeDerInteger(sig.subarray(half))]));
}

/**
 * Re-assembles `template` (a signed CRL without entries) with `entries` and signs it with `signingKey`/`signingAlgorithm`
 * (the same key and algorithm that signed the template). Returns the DER of the new CRL.
 */
export async function spliceCrlEntries(
  template: x509.X509Crl,
  entries: readonly CrlWriterEntry[],
  signingKey: CryptoKey,
  signingAlgorithm: Algorithm,
): Promise<Uint8Array> {
  const seen = new Set<string>();
  for (const e of entries) {
    const key = e.serial.toLowerCase().replace(/^0+/u, '');
    if (seen.has(key)) throw new TypeError(`serial ${e.serial} is listed twice`);
    seen.add(key);
  }
  const der = new Uint8Array(template.rawData);
  const top = readTlv(der, 0);
  const [tbs, sigAlg] = readChildren(der, top);
  const fields = readChildren(der, tbs!);
  // version, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, [0] crlExtensions?
  const parts: Uint8Array[] = [];
  let inserted = false;
  for (const f of fields) {
    const bytes = der.subarray(f.start, f.end);
    if (f.tag === 0x30 && parts.length >= 3) continue; // an existing revokedCertificates list is replaced
    if (f.tag === 0xa0 && !inserted) {
      if (entries.length) parts.push(tlv(0x30, concat(entries.map(encodeEntry))));
      inserted = true;
    }
    parts.push(bytes);
  }
  if (!inserted && entries.length) parts.push(tlv(0x30, concat(entries.map(encodeEntry))));
  const newTbs = tlv(0x30, concat(parts));
  const signature = new Uint8Array(await globalThis.crypto.subtle.sign(signingAlgorithm, signingKey, newTbs as Uint8Array<ArrayBuffer>));
  const bitString = tlv(0x03, concat([new Uint8Array([0]), toX509Signature(signingAlgorithm, signature)]));
  return tlv(0x30, concat([newTbs, der.subarray(sigAlg!.start, sigAlg!.end), bitString]));
}
