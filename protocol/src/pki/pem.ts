/**
 * PEM and DER handling for certificates, CRLs, CSRs and keys, runtime-neutral (no Buffer).
 *
 * CRLs are written with the RFC 7468 label `X509 CRL`: @peculiar/x509's own `BEGIN CRL` output is refused by
 * OpenSSL and Mosquitto.
 */
import '../reflect';
import * as x509 from '@peculiar/x509';
import { HelmlinkError } from '../errors';
import { type CrlInfo, isCrlInfo, parseCrlDer } from './crl-parse';

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/gu;

/** Standard base64 → bytes. Throws ERR_INPUT_INVALID on bad input. */
export function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/\s+/gu, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/u.test(clean) || clean.length % 4 !== 0) {
    throw new HelmlinkError('ERR_INPUT_INVALID', 'invalid base64 data');
  }
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Node's Buffer when present (main process, vessel, CA); undefined in a renderer, which takes the portable path. */
const NodeBuffer = (
  globalThis as {
    Buffer?: {
      from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: string): string };
    };
  }
).Buffer;

/** Bytes → `encoding` through Node's Buffer (a view, no copy); ~10× faster than btoa over a binary string. */
function nodeEncode(bytes: Uint8Array, encoding: 'base64' | 'base64url'): string | undefined {
  return NodeBuffer?.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding);
}

/** Bytes → standard base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  const fast = nodeEncode(bytes, 'base64');
  if (fast !== undefined) return fast;
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(bin);
}

/** Bytes → base64url without padding (RFC 4648 §5, as JWS writes it). */
export function bytesToBase64Url(bytes: Uint8Array): string {
  return (
    nodeEncode(bytes, 'base64url') ??
    bytesToBase64(bytes).replace(/\+/gu, '-').replace(/\//gu, '_').replace(/=+$/u, '')
  );
}

/** Bytes → lowercase hex. */
export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Decodes every PEM block in `text`, in order. */
export function decodePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    // RFC 7468 allows explanatory headers only in legacy encrypted PEM; strip "Key: value" lines defensively.
    const body = m[2]!
      .split(/\r?\n/u)
      .filter((line) => !line.includes(':'))
      .join('');
    blocks.push({ label: m[1]!, der: base64ToBytes(body) });
  }
  return blocks;
}

/** Encodes DER as PEM with the given label, 64-column lines. */
export function encodePem(label: string, der: Uint8Array | ArrayBuffer): string {
  const b64 = bytesToBase64(der instanceof Uint8Array ? der : new Uint8Array(der));
  const lines = b64.match(/.{1,64}/gu) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function asText(data: string | Uint8Array): string | undefined {
  if (typeof data === 'string') return data;
  // DER always starts with a SEQUENCE tag (0x30); anything else is treated as text.
  if (data.length > 0 && data[0] === 0x30) return undefined;
  return new TextDecoder().decode(data);
}

function parseBlocks<T>(
  data: string | Uint8Array,
  labels: readonly string[],
  what: string,
  make: (der: Uint8Array) => T,
  code: 'ERR_CERT_MALFORMED' | 'ERR_CRL_MALFORMED' | 'ERR_INPUT_INVALID',
): T[] {
  const text = asText(data);
  const ders =
    text === undefined
      ? [data as Uint8Array]
      : decodePem(text)
          .filter((b) => labels.includes(b.label))
          .map((b) => b.der);
  if (ders.length === 0)
    throw new HelmlinkError(code, `no ${what} found (expected PEM ${labels.join(' or ')} or DER)`);
  return ders.map((der, i) => {
    try {
      return make(der);
    } catch (err) {
      throw new HelmlinkError(code, `${what} #${i + 1} cannot be parsed`, { cause: err });
    }
  });
}

const toArrayBuffer = (der: Uint8Array): ArrayBuffer =>
  der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;

/**
 * asn1js limits for one certificate, by its size: a DER element takes at least two octets, so a certificate of
 * n octets has at most n/2 nodes. The default (10,000 nodes) refuses well-formed certificates with a few
 * thousand subjectAltName directory names; this bound admits every well-formed certificate and still limits
 * what a hostile one can make us allocate to its own size.
 */
function certificateParseOptions(der: Uint8Array): { berOptions: { maxNodes: number } } {
  return { berOptions: { maxNodes: Math.max(10_000, der.length) } };
}

/** Parses one or more certificates from PEM (any number of CERTIFICATE blocks) or a single DER certificate. */
export function parseCertificates(data: string | Uint8Array): x509.X509Certificate[] {
  return parseBlocks(
    data,
    ['CERTIFICATE'],
    'certificate',
    (der) => new x509.X509Certificate(toArrayBuffer(der), certificateParseOptions(der)),
    'ERR_CERT_MALFORMED',
  );
}

/** Parses exactly one certificate. */
export function parseCertificate(data: string | Uint8Array): x509.X509Certificate {
  const certs = parseCertificates(data);
  if (certs.length !== 1)
    throw new HelmlinkError('ERR_CERT_MALFORMED', `expected one certificate, found ${certs.length}`);
  return certs[0]!;
}

/**
 * ASN.1 limits for CRLs: asn1js stops at 10,000 nodes by default, i.e. about 1,200 revoked entries. 2,000,000 nodes
 * admit about 250,000 entries while still bounding what a hostile input can make us allocate.
 */
export const CRL_PARSE_OPTIONS = { berOptions: { maxNodes: 2_000_000 } };

/** Parses one or more CRLs from PEM (`X509 CRL`, also the non-standard `CRL`) or a single DER CRL. */
export function parseCrls(data: string | Uint8Array): x509.X509Crl[] {
  return parseBlocks(
    data,
    ['X509 CRL', 'CRL'],
    'CRL',
    (der) => new x509.X509Crl(toArrayBuffer(der), CRL_PARSE_OPTIONS),
    'ERR_CRL_MALFORMED',
  );
}

/**
 * Parses CRLs like {@link parseCrls}, but into validation views with the one-pass parser (crl-parse.ts): no
 * asn1js object graph, so a fleet CRL of 100,000 entries is parsed and indexed in milliseconds. validatePath
 * accepts these views in `crls`.
 */
export function parseCrlsIndexed(data: string | Uint8Array): CrlInfo[] {
  return parseBlocks(data, ['X509 CRL', 'CRL'], 'CRL', parseCrlDer, 'ERR_CRL_MALFORMED');
}

/** Parses one PKCS#10 certificate request from PEM (`CERTIFICATE REQUEST`, `NEW CERTIFICATE REQUEST`) or DER. */
export function parseCsr(data: string | Uint8Array): x509.Pkcs10CertificateRequest {
  const csrs = parseBlocks(
    data,
    ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'],
    'certificate request',
    (der) => new x509.Pkcs10CertificateRequest(toArrayBuffer(der)),
    'ERR_INPUT_INVALID',
  );
  if (csrs.length !== 1)
    throw new HelmlinkError('ERR_INPUT_INVALID', `expected one certificate request, found ${csrs.length}`);
  return csrs[0]!;
}

/** PEM of a certificate. */
export function certificateToPem(cert: x509.X509Certificate): string {
  return encodePem('CERTIFICATE', cert.rawData);
}

/** PEM of several certificates, concatenated (a chain file). */
export function certificatesToPem(certs: readonly x509.X509Certificate[]): string {
  return certs.map(certificateToPem).join('');
}

/** PEM of a CRL with the `X509 CRL` label that OpenSSL and Mosquitto read. */
export function crlToPem(crl: x509.X509Crl | CrlInfo): string {
  return encodePem('X509 CRL', isCrlInfo(crl) ? crl.raw : crl.rawData);
}

/** DER bytes of a certificate, CRL or CSR. */
export function toDer(obj: { rawData: ArrayBuffer }): Uint8Array {
  return new Uint8Array(obj.rawData);
}

/** SHA-256 fingerprint of DER bytes, lowercase hex without separators. */
export async function sha256Hex(der: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest(
    'SHA-256',
    der instanceof Uint8Array ? toArrayBuffer(der) : der,
  );
  return bytesToHex(new Uint8Array(digest));
}

/** SHA-256 fingerprint of a certificate, lowercase hex. */
export function certificateFingerprint(cert: x509.X509Certificate): Promise<string> {
  return sha256Hex(cert.rawData);
}

/** Normalises a user-typed fingerprint (`AB:CD:..`, spaces, upper case) to lowercase hex. */
export function normalizeFingerprint(fp: string): string {
  const hex = fp.replace(/[\s:]/gu, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/u.test(hex))
    throw new HelmlinkError('ERR_INPUT_INVALID', 'a SHA-256 fingerprint has 64 hex digits');
  return hex;
}
