/**
 * A direct DER writer for large CRLs. @peculiar/x509's CRL generator slows down sharply with the number of
 * entries (~7 s for 10,000 here), so the revoked-certificates list is encoded here in one pass: a template CRL
 * without entries (from the generator: version, signature algorithm, issuer, times, extensions) is re-assembled
 * with the entries spliced in, and the new TBSCertList is signed with WebCrypto.
 */
import '../reflect';
import type * as x509 from '@peculiar/x509';
import { readChildren, readTlv } from './der';
import { concat, encodeGeneralizedTime, encodeSerial, encodeTime, tlv, toX509Signature } from './der-writer';

/**
 * Parse options for CRLs we built ourselves: asn1js stops at 10,000 nodes by default (about 1,500 CRL entries),
 * far below what a fleet CA can revoke. Only for trusted input.
 */
export const LARGE_CRL_PARSE_OPTIONS = {
  berOptions: { maxNodes: 50_000_000, maxContentLength: 512 * 1024 * 1024 },
};

export interface CrlWriterEntry {
  /** Hex serial (positive). */
  serial: string;
  revokedAt: Date;
  /** RFC 5280 reason code; undefined or 0 = no reasonCode extension. */
  reason?: number;
  invalidityDate?: Date;
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

const timeCache = new Map<number, Uint8Array>();

function cachedTime(d: Date): Uint8Array {
  const key = Math.floor(d.getTime() / 1000);
  let t = timeCache.get(key);
  if (!t) {
    if (timeCache.size > 100_000) timeCache.clear();
    t = encodeTime(d);
    timeCache.set(key, t);
  }
  return t;
}

function encodeEntry(e: CrlWriterEntry): Uint8Array {
  const exts: Uint8Array[] = [];
  if (e.reason !== undefined && e.reason !== 0) exts.push(reasonExtension(e.reason));
  if (e.invalidityDate)
    exts.push(tlv(0x30, concat([OID_INVALIDITY, tlv(0x04, encodeGeneralizedTime(e.invalidityDate))])));
  const parts = [encodeSerial(e.serial), cachedTime(e.revokedAt)];
  if (exts.length) parts.push(tlv(0x30, concat(exts)));
  return tlv(0x30, concat(parts));
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
  extraExtensions: readonly Uint8Array[] = [],
): Promise<Uint8Array> {
  for (const ext of extraExtensions) {
    const el = readTlv(ext, 0);
    const parts = el.tag === 0x30 && el.end === ext.length ? readChildren(ext, el) : [];
    if (parts.length !== 2 || parts[0]!.tag !== 0x06 || parts[1]!.tag !== 0x04) {
      throw new TypeError('extra CRL extensions must be non-critical DER Extensions');
    }
  }
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
      if (extraExtensions.length) {
        const list = readTlv(der, f.contentStart);
        const existing = der.subarray(list.contentStart, list.end);
        parts.push(tlv(0xa0, tlv(0x30, concat([existing, ...extraExtensions]))));
        continue;
      }
    }
    parts.push(bytes);
  }
  if (!inserted && entries.length) parts.push(tlv(0x30, concat(entries.map(encodeEntry))));
  const newTbs = tlv(0x30, concat(parts));
  const signature = new Uint8Array(
    await globalThis.crypto.subtle.sign(signingAlgorithm, signingKey, newTbs as Uint8Array<ArrayBuffer>),
  );
  const bitString = tlv(0x03, concat([new Uint8Array([0]), toX509Signature(signingAlgorithm, signature)]));
  return tlv(0x30, concat([newTbs, der.subarray(sigAlg!.start, sigAlg!.end), bitString]));
}
