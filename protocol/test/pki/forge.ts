/**
 * A DER-level forge for hostile certificates and CRLs: every field and extension is chosen by the test (empty
 * names, critical key identifiers, missing basicConstraints, malformed subjectAltName bytes, v1 CRLs, duplicate
 * entries, ...), encoded with der-writer.ts and signed for real with WebCrypto (ECDSA P-256). Defaults give a
 * well-formed RFC 5280 certificate, so each test changes exactly the property it is about.
 */
import '../../src/reflect';
import type * as x509 from '@peculiar/x509';
import { concat, encodeDerInteger, encodeTime, tlv, toX509Signature } from '../../src/pki/der-writer';
import { readChildren, readTlv } from '../../src/pki/der';
import { parseCertificates } from '../../src/pki/pem';
import type { ValidatePathOptions } from '../../src/pki/validate';

export const DAY = 86_400_000;
const ECDSA_SHA256 = new Uint8Array([0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

const ATTRS: Record<string, number[]> = {
  CN: [0x55, 0x04, 0x03],
  O: [0x55, 0x04, 0x0a],
  OU: [0x55, 0x04, 0x0b],
  C: [0x55, 0x04, 0x06],
  E: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01],
};

/** A distinguished name as [attribute, value] pairs, one RDN each (E = emailAddress, as IA5String). */
export type NameSpec = readonly (readonly [keyof typeof ATTRS, string])[];

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const seq = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, concat(parts));

/** The DER of a Name. */
export function encodeName(name: NameSpec): Uint8Array {
  return seq(
    ...name.map(([type, value]) =>
      tlv(0x31, seq(tlv(0x06, new Uint8Array(ATTRS[type]!)), tlv(type === 'E' ? 0x16 : 0x0c, utf8(value)))),
    ),
  );
}

/** DER of an OBJECT IDENTIFIER from dotted text. */
export function encodeOid(oid: string): Uint8Array {
  const parts = oid.split('.').map(Number);
  const out = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const bytes = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return tlv(0x06, new Uint8Array(out));
}

function ipBytes(text: string): Uint8Array {
  const [addr, prefix] = text.split('/');
  let bytes: number[];
  if (addr!.includes(':')) {
    const [head, tail] = addr!.split('::');
    const groups = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
    const h = groups(head);
    const t = groups(tail);
    const all = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
    bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  } else bytes = addr!.split('.').map(Number);
  if (prefix === undefined) return new Uint8Array(bytes);
  const mask = bytes
    .map((_, i) => Math.max(0, Math.min(8, Number(prefix) - i * 8)))
    .map((n) => (0xff << (8 - n)) & 0xff);
  return new Uint8Array([...bytes, ...mask]);
}

/** A GeneralName: dNSName, rfc822Name, URI, iPAddress ("192.0.2.1", or "192.0.2.0/24" in constraints), directoryName, otherName, or raw DER. */
export type GeneralNameSpec =
  | { dns: string }
  | { email: string }
  | { uri: string }
  | { ip: string }
  | { ipBytes: Uint8Array }
  | { dn: NameSpec }
  | { otherName: string }
  | { raw: Uint8Array };

export function encodeGeneralName(gn: GeneralNameSpec): Uint8Array {
  if ('dns' in gn) return tlv(0x82, utf8(gn.dns));
  if ('email' in gn) return tlv(0x81, utf8(gn.email));
  if ('uri' in gn) return tlv(0x86, utf8(gn.uri));
  if ('ip' in gn) return tlv(0x87, ipBytes(gn.ip));
  if ('ipBytes' in gn) return tlv(0x87, gn.ipBytes);
  if ('dn' in gn) return tlv(0xa4, encodeName(gn.dn));
  if ('otherName' in gn)
    return tlv(0xa0, concat([encodeOid(gn.otherName), tlv(0xa0, new Uint8Array([0x05, 0x00]))]));
  return gn.raw;
}

/** One extension: OID, criticality and the DER of its value. */
export interface RawExtension {
  oid: string;
  critical?: boolean;
  value: Uint8Array;
}

export function encodeExtension(e: RawExtension): Uint8Array {
  return seq(
    encodeOid(e.oid),
    ...(e.critical ? [new Uint8Array([0x01, 0x01, 0xff])] : []),
    tlv(0x04, e.value),
  );
}

const int = (n: number): Uint8Array => encodeDerInteger(new Uint8Array(n < 256 ? [n] : [n >> 8, n & 0xff]));

/** ReasonFlags (a BIT STRING, named bits 1..8 = keyCompromise..aACompromise) with the given bits set, in DER. */
function reasonFlags(bits: readonly number[]): Uint8Array {
  const top = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(top / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return concat([new Uint8Array([7 - (top & 7)]), bytes]);
}

/** A DistributionPointName [0] with a fullName, for CRLDistributionPoints and IssuingDistributionPoint. */
const dpName = (fullName: readonly GeneralNameSpec[]): Uint8Array =>
  tlv(0xa0, tlv(0xa0, concat(fullName.map(encodeGeneralName))));

/** One point of a certificate's CRLDistributionPoints (every field optional, as in RFC 5280 4.2.1.13). */
export interface DistributionPointSpec {
  fullName?: readonly GeneralNameSpec[];
  reasons?: readonly number[];
  cRLIssuer?: readonly GeneralNameSpec[];
}

/** A CRL's IssuingDistributionPoint (RFC 5280 5.2.5). */
export interface IssuingDistributionPointSpec {
  fullName?: readonly GeneralNameSpec[];
  onlyUserCerts?: boolean;
  onlyCaCerts?: boolean;
  onlySomeReasons?: readonly number[];
  indirectCrl?: boolean;
  onlyAttributeCerts?: boolean;
}

const TRUE = new Uint8Array([0xff]);

/** Extension values. */
export const ext = {
  basicConstraints: (ca: boolean, pathLen?: number): Uint8Array =>
    seq(
      ...(ca ? [new Uint8Array([0x01, 0x01, 0xff])] : []),
      ...(pathLen === undefined ? [] : [int(pathLen)]),
    ),
  keyUsage: (bits: number): Uint8Array => {
    // Named bits, DER: trailing zero bits dropped (bit 0 is the most significant bit of the first octet).
    if (bits === 0) return new Uint8Array([0x03, 0x01, 0x00]);
    const highest = 31 - Math.clz32(bits);
    const octets = Math.floor(highest / 8) + 1;
    const out = new Uint8Array(octets);
    for (let b = 0; b <= highest; b++) if (bits & (1 << b)) out[b >> 3]! |= 0x80 >> (b & 7);
    return tlv(0x03, concat([new Uint8Array([7 - (highest & 7)]), out]));
  },
  ski: (id: Uint8Array): Uint8Array => tlv(0x04, id),
  aki: (id: Uint8Array): Uint8Array => seq(tlv(0x80, id)),
  generalNames: (names: readonly GeneralNameSpec[]): Uint8Array => seq(...names.map(encodeGeneralName)),
  eku: (oids: readonly string[]): Uint8Array => seq(...oids.map(encodeOid)),
  nameConstraints: (
    permitted?: readonly GeneralNameSpec[],
    excluded?: readonly GeneralNameSpec[],
  ): Uint8Array =>
    seq(
      ...(permitted ? [tlv(0xa0, concat(permitted.map((g) => seq(encodeGeneralName(g)))))] : []),
      ...(excluded ? [tlv(0xa1, concat(excluded.map((g) => seq(encodeGeneralName(g)))))] : []),
    ),
  aia: (uri: string): Uint8Array => seq(seq(encodeOid('1.3.6.1.5.5.7.48.2'), tlv(0x86, utf8(uri)))),
  distributionPoints: (points: readonly DistributionPointSpec[]): Uint8Array =>
    seq(
      ...points.map((dp) =>
        seq(
          ...(dp.fullName ? [dpName(dp.fullName)] : []),
          ...(dp.reasons ? [tlv(0x81, reasonFlags(dp.reasons))] : []),
          ...(dp.cRLIssuer ? [tlv(0xa2, concat(dp.cRLIssuer.map(encodeGeneralName)))] : []),
        ),
      ),
    ),
  issuingDistributionPoint: (p: IssuingDistributionPointSpec): Uint8Array =>
    seq(
      ...(p.fullName ? [dpName(p.fullName)] : []),
      ...(p.onlyUserCerts ? [tlv(0x81, TRUE)] : []),
      ...(p.onlyCaCerts ? [tlv(0x82, TRUE)] : []),
      ...(p.onlySomeReasons ? [tlv(0x83, reasonFlags(p.onlySomeReasons))] : []),
      ...(p.indirectCrl ? [tlv(0x84, TRUE)] : []),
      ...(p.onlyAttributeCerts ? [tlv(0x85, TRUE)] : []),
    ),
  policyConstraints: (requireExplicit: number): Uint8Array =>
    seq(tlv(0x80, new Uint8Array([requireExplicit]))),
};

export const OIDS = {
  bc: '2.5.29.19',
  ku: '2.5.29.15',
  eku: '2.5.29.37',
  ski: '2.5.29.14',
  aki: '2.5.29.35',
  san: '2.5.29.17',
  nc: '2.5.29.30',
  aia: '1.3.6.1.5.5.7.1.1',
  pc: '2.5.29.36',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

export const KU_BITS = { digitalSignature: 1, keyCertSign: 32, cRLSign: 64 };

/** A forged certificate with its keys (an IssuerMaterial for other forges and for buildCrl). */
export interface Forged {
  certificate: x509.X509Certificate;
  der: Uint8Array;
  keys: CryptoKeyPair;
  privateKey: CryptoKey;
  ski: Uint8Array;
  /** DER of the subject Name. */
  subject: Uint8Array;
}

export interface ForgeParams {
  subject: NameSpec | Uint8Array;
  /** The issuing certificate; omitted = self-signed. */
  issuer?: Forged;
  /** The issuer Name written into the certificate (default: the issuer's subject). */
  issuerName?: NameSpec | Uint8Array;
  keys?: CryptoKeyPair;
  /** INTEGER contents of the serial (default: 16 random octets, positive). */
  serial?: Uint8Array;
  notBefore?: Date;
  notAfter?: Date;
  /** Extensions by role; each can be replaced, made critical or removed (null). */
  bc?: RawExtension | null;
  ku?: RawExtension | null;
  ski?: RawExtension | null;
  aki?: RawExtension | null;
  san?: RawExtension | null;
  eku?: RawExtension | null;
  /** Further extensions, in order. */
  extra?: readonly RawExtension[];
  /** v1 certificates carry no extensions (unless `extensionsInV1`, a malformed certificate). */
  version?: 1 | 3;
  extensionsInV1?: boolean;
  /** The signature AlgorithmIdentifier written inside the TBS (default: the one it is signed with). */
  tbsAlgorithm?: Uint8Array;
  /** The contents of the Version INTEGER of a v3 certificate (default 2), e.g. 3 for a "v4" one. */
  versionInteger?: Uint8Array;
  /** Times written after notBefore and notAfter inside the Validity (a malformed validity). */
  extraValidityTimes?: readonly Date[];
}

/** ecdsa-with-SHA384: a signature AlgorithmIdentifier that differs from the one the forge signs with. */
export const ECDSA_SHA384 = new Uint8Array([
  0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
]);

/** Validation options for forged chains: generic RFC 5280 validation (any purpose, no revocation unless given). */
export function forgedPathOptions(
  anchors: readonly Forged[],
  intermediates: readonly Forged[] = [],
  over: Partial<ValidatePathOptions> = {},
): ValidatePathOptions {
  return {
    trustAnchors: anchors.map((a) => a.certificate),
    intermediates: intermediates.map((c) => c.certificate),
    time: FORGE_NOW,
    purpose: 'any',
    revocation: { mode: 'off' },
    leafKeyUsage: [],
    ...over,
  };
}

/** Reference time of forged fixtures. */
export const FORGE_NOW = new Date('2026-06-01T12:00:00Z');

export async function newKeys(): Promise<CryptoKeyPair> {
  return globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]) as Promise<CryptoKeyPair>;
}

function randomSerial(): Uint8Array {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b;
}

/** A CA certificate's usual extensions (BC critical cA, KU keyCertSign|cRLSign critical). */
export function caExtensions(pathLen?: number): Pick<ForgeParams, 'bc' | 'ku'> {
  return {
    bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(true, pathLen) },
    ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(KU_BITS.keyCertSign | KU_BITS.cRLSign) },
  };
}

/** Builds and signs a certificate. Defaults: an end entity (BC cA FALSE, KU digitalSignature, SKI, AKI, SAN example.com). */
export async function forge(p: ForgeParams): Promise<Forged> {
  const keys = p.keys ?? (await newKeys());
  const spki = new Uint8Array(await globalThis.crypto.subtle.exportKey('spki', keys.publicKey));
  const spkiEl = readTlv(spki, 0);
  const bitString = readChildren(spki, spkiEl)[1]!;
  const ski = new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-1', spki.slice(bitString.contentStart + 1, bitString.end)),
  ).slice(0, 20);
  const subject = p.subject instanceof Uint8Array ? p.subject : encodeName(p.subject);
  const issuerName = p.issuerName
    ? p.issuerName instanceof Uint8Array
      ? p.issuerName
      : encodeName(p.issuerName)
    : p.issuer
      ? p.issuer.subject
      : subject;
  const defaults: Record<'bc' | 'ku' | 'ski' | 'aki' | 'san' | 'eku', RawExtension | null> = {
    bc: { oid: OIDS.bc, critical: true, value: ext.basicConstraints(false) },
    ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(KU_BITS.digitalSignature) },
    ski: { oid: OIDS.ski, value: ext.ski(ski) },
    aki: { oid: OIDS.aki, value: ext.aki(p.issuer ? p.issuer.ski : ski) },
    san: { oid: OIDS.san, value: ext.generalNames([{ dns: 'example.com' }]) },
    eku: null,
  };
  const extensions: RawExtension[] = [];
  for (const k of ['bc', 'ku', 'ski', 'aki', 'san', 'eku'] as const) {
    const e = p[k] === undefined ? defaults[k] : p[k];
    if (e) extensions.push(e);
  }
  extensions.push(...(p.extra ?? []));
  const version = p.version ?? 3;
  const signer = p.issuer ? p.issuer.keys.privateKey : keys.privateKey;
  const tbs = seq(
    ...(version === 3 ? [tlv(0xa0, p.versionInteger ? tlv(0x02, p.versionInteger) : int(2))] : []),
    tlv(0x02, p.serial ?? randomSerial()),
    p.tbsAlgorithm ?? ECDSA_SHA256,
    issuerName,
    seq(
      encodeTime(p.notBefore ?? new Date(FORGE_NOW.getTime() - DAY)),
      encodeTime(p.notAfter ?? new Date(FORGE_NOW.getTime() + 100 * DAY)),
      ...(p.extraValidityTimes ?? []).map(encodeTime),
    ),
    subject,
    spki,
    ...((version === 3 || p.extensionsInV1) && extensions.length > 0
      ? [tlv(0xa3, seq(...extensions.map(encodeExtension)))]
      : []),
  );
  const der = await signed(tbs, signer);
  const [certificate] = parseCertificates(der);
  return { certificate: certificate!, der, keys, privateKey: keys.privateKey, ski, subject };
}

async function signed(tbs: Uint8Array, key: CryptoKey): Promise<Uint8Array> {
  const sig = new Uint8Array(await globalThis.crypto.subtle.sign(SIGN, key, tbs as Uint8Array<ArrayBuffer>));
  return seq(tbs, ECDSA_SHA256, tlv(0x03, concat([new Uint8Array([0]), toX509Signature(SIGN, sig)])));
}

/** A root CA (self-signed, CA extensions, no SAN); `over` replaces any field. */
export async function forgeRoot(cn: string, over: Partial<ForgeParams> = {}): Promise<Forged> {
  return forge({ subject: [['CN', cn]], ...caExtensions(), san: null, ...over });
}

/** An intermediate CA under `issuer`. */
export async function forgeCa(cn: string, issuer: Forged, over: Partial<ForgeParams> = {}): Promise<Forged> {
  return forge({ subject: [['CN', cn]], issuer, ...caExtensions(), san: null, ...over });
}

/** An end entity under `issuer` (SAN example.com unless replaced). */
export async function forgeLeaf(
  cn: string,
  issuer: Forged,
  over: Partial<ForgeParams> = {},
): Promise<Forged> {
  return forge({ subject: [['CN', cn]], issuer, ...over });
}

export interface CrlEntrySpec {
  serial: Uint8Array;
  revokedAt?: Date;
  /** Reason code; with `reasonCritical`, marked critical. */
  reason?: number;
  reasonCritical?: boolean;
  extra?: readonly RawExtension[];
}

export interface CrlForgeParams {
  issuer: Forged;
  issuerName?: Uint8Array;
  /** 1 = no version field and no extensions. Default 2. */
  version?: 1 | 2;
  /** CRL number; null = none. Default 1. */
  number?: number | null;
  numberCritical?: boolean;
  /** Include an AKI (default true). */
  aki?: boolean;
  thisUpdate?: Date;
  nextUpdate?: Date | null;
  entries?: readonly CrlEntrySpec[];
  /** Further CRL extensions. */
  extra?: readonly RawExtension[];
  /** Sign with this key instead of the issuer's. */
  signingKey?: CryptoKey;
  /** The signature AlgorithmIdentifier written inside the TBS (default: the one it is signed with). */
  tbsAlgorithm?: Uint8Array;
  /** The contents of the Version INTEGER of a v3 certificate (default 2), e.g. 3 for a "v4" one. */
  versionInteger?: Uint8Array;
  /** Times written after notBefore and notAfter inside the Validity (a malformed validity). */
  extraValidityTimes?: readonly Date[];
}

/** Builds and signs a CRL (DER). */
export async function forgeCrl(p: CrlForgeParams): Promise<Uint8Array> {
  const version = p.version ?? 2;
  const exts: RawExtension[] = [];
  if (version === 2) {
    const number = p.number === undefined ? 1 : p.number;
    if (number !== null)
      exts.push({ oid: '2.5.29.20', critical: p.numberCritical ?? false, value: int(number) });
    if (p.aki ?? true) exts.push({ oid: OIDS.aki, value: ext.aki(p.issuer.ski) });
    exts.push(...(p.extra ?? []));
  }
  const entries = (p.entries ?? []).map((e) => {
    const entryExts: RawExtension[] = [];
    if (e.reason !== undefined)
      entryExts.push({
        oid: '2.5.29.21',
        critical: e.reasonCritical ?? false,
        value: tlv(0x0a, new Uint8Array([e.reason])),
      });
    entryExts.push(...(e.extra ?? []));
    return seq(
      tlv(0x02, e.serial),
      encodeTime(e.revokedAt ?? new Date(FORGE_NOW.getTime() - DAY)),
      ...(entryExts.length > 0 ? [seq(...entryExts.map(encodeExtension))] : []),
    );
  });
  const nextUpdate = p.nextUpdate === undefined ? new Date(FORGE_NOW.getTime() + DAY) : p.nextUpdate;
  const tbs = seq(
    ...(version === 2 ? [int(1)] : []),
    p.tbsAlgorithm ?? ECDSA_SHA256,
    p.issuerName ?? p.issuer.subject,
    encodeTime(p.thisUpdate ?? new Date(FORGE_NOW.getTime() - 3_600_000)),
    ...(nextUpdate ? [encodeTime(nextUpdate)] : []),
    ...(entries.length > 0 ? [seq(...entries)] : []),
    ...(exts.length > 0 ? [tlv(0xa0, seq(...exts.map(encodeExtension)))] : []),
  );
  return signed(tbs, p.signingKey ?? p.issuer.keys.privateKey);
}

/** The serial of a forged certificate (INTEGER contents). */
export function serialOf(f: Forged): Uint8Array {
  const tbs = readChildren(f.der, readTlv(f.der, 0))[0]!;
  const fields = readChildren(f.der, tbs);
  const serial = fields[0]!.tag === 0xa0 ? fields[1]! : fields[0]!;
  return f.der.slice(serial.contentStart, serial.end);
}

/**
 * A crafted pool: `n` self-issued CA certificates with one subject and one key (every one verifies every
 * other), and a leaf under that key. No trust anchor is reachable.
 */
export async function forgeSameKeyPool(
  n: number,
  subject = 'Pool CA',
): Promise<{ pool: Forged[]; leaf: Forged }> {
  const keys = await newKeys();
  const seed = await forge({ subject: [['CN', subject]], keys, ...caExtensions(), san: null });
  const pool: Forged[] = [];
  for (let i = 0; i < n; i++)
    pool.push(await forge({ subject: [['CN', subject]], issuer: seed, keys, ...caExtensions(), san: null }));
  return { pool, leaf: await forgeLeaf('pool-leaf', seed) };
}

/**
 * A crafted pool: `n` CA certificates with one subject and distinct keys, each certified by the next one's key
 * (a ring, key identifiers consistent), and a leaf under the first key. No trust anchor is reachable.
 */
export async function forgeRingPool(
  n: number,
  subject = 'Ring CA',
): Promise<{ pool: Forged[]; leaf: Forged }> {
  const keys = await Promise.all(Array.from({ length: n }, () => newKeys()));
  // Placeholders carry each key's SKI, so every certificate names its signer's SKI in its AKI.
  const holders = await Promise.all(
    keys.map((k) => forge({ subject: [['CN', subject]], keys: k, ...caExtensions(), san: null })),
  );
  const pool: Forged[] = [];
  for (let i = 0; i < n; i++)
    pool.push(
      await forge({
        subject: [['CN', subject]],
        issuer: holders[(i + 1) % n],
        keys: keys[i],
        ...caExtensions(),
        san: null,
      }),
    );
  return { pool, leaf: await forgeLeaf('ring-leaf', holders[0]!) };
}
