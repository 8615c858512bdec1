/**
 * Reading a PKCS#10 CertificationRequest (RFC 2986) in DER mode, for the CSR policy (csr.ts). The CA signs what it
 * reads here, so nothing may hide: one encoding per value (minimal lengths and integers, no constructed strings), no
 * element beyond those the structure defines (in the request, its info, a name attribute, an attribute or an
 * extension), version 0 only, signature and key BIT STRINGs without unused bits. Every failure is a RangeError the
 * policy turns into ERR_CSR_INVALID.
 */
import { assertDer, decodeOid, decodePem, readChildren, readTlv, type Tlv } from '@helmlink/protocol';

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

/** The parts of a CSR the policy needs. */
export interface ParsedCsr {
  der: Uint8Array;
  /** The signed CertificationRequestInfo, exact bytes. */
  info: Uint8Array;
  sigAlgOid: string;
  /** The whole signatureAlgorithm AlgorithmIdentifier (with RSASSA-PSS parameters). */
  sigAlg: Uint8Array;
  signature: Uint8Array;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  /** Subject attributes in order: [oid, value]. */
  subject: Array<[string, string]>;
  /** Attribute type OIDs. */
  attributes: string[];
  /** Requested extensions: OID and DER value (the OCTET STRING contents). */
  extensions: Array<{ oid: string; value: Uint8Array }>;
}

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);

function decodeString(buf: Uint8Array, el: Tlv): string {
  const bytes = buf.subarray(el.contentStart, el.end);
  switch (el.tag) {
    case 0x0c: // UTF8String
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString (treated as Latin-1)
      return latin1(bytes);
    case 0x1e: {
      // BMPString
      if (bytes.length % 2 !== 0) throw new RangeError('odd BMPString length');
      let s = '';
      for (let i = 0; i + 1 < bytes.length; i += 2)
        s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
      return s;
    }
    default:
      throw new RangeError(`unsupported string type ${el.tag}`);
  }
}

function toDer(data: string | Uint8Array): Uint8Array {
  // A copy: a Node Buffer may be a view into a shared pool, and the parts handed on must own their bytes.
  if (typeof data !== 'string') return new Uint8Array(data);
  const block = decodePem(data).find(
    (b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST',
  );
  if (!block) throw new RangeError('no CERTIFICATE REQUEST block');
  return block.der;
}

/**
 * The children of `parent`: exactly the elements `tags` defines (the last `optionalTail` may be absent; tag -1 takes
 * any element).
 */
function fields(buf: Uint8Array, parent: Tlv, tags: number[], what: string, optionalTail = 0): Tlv[] {
  const children = readChildren(buf, parent);
  if (children.length > tags.length || children.length < tags.length - optionalTail)
    throw new RangeError(`${what}: ${children.length} elements where ${tags.length} are defined`);
  children.forEach((c, i) => {
    if (tags[i] !== -1 && c.tag !== tags[i])
      throw new RangeError(`${what}: element ${i + 1} has tag 0x${c.tag.toString(16)}`);
  });
  return children;
}

/** The contents of a BIT STRING that must have no unused bits. */
function bitStringBytes(buf: Uint8Array, el: Tlv, what: string): Uint8Array {
  if (el.end - el.contentStart < 2) throw new RangeError(`${what}: empty BIT STRING`);
  if (buf[el.contentStart] !== 0) throw new RangeError(`${what}: the BIT STRING has unused bits`);
  return buf.subarray(el.contentStart + 1, el.end);
}

function readSubject(der: Uint8Array, name: Tlv): Array<[string, string]> {
  const subject: Array<[string, string]> = [];
  for (const rdn of readChildren(der, name)) {
    if (rdn.tag !== 0x31) throw new RangeError('bad RDN');
    const atvs = readChildren(der, rdn);
    if (atvs.length === 0) throw new RangeError('empty RDN');
    for (const atv of atvs) {
      if (atv.tag !== 0x30) throw new RangeError('bad name attribute');
      // Exactly type and value: a second value (a second CN) cannot ride along unseen.
      const [type, value] = readChildren(der, atv);
      if (!type || !value || readChildren(der, atv).length !== 2)
        throw new RangeError('a name attribute needs exactly a type and a value');
      subject.push([decodeOid(der, type), decodeString(der, value)]);
    }
  }
  return subject;
}

function readExtensionRequest(
  der: Uint8Array,
  values: Tlv,
  extensions: Array<{ oid: string; value: Uint8Array }>,
): void {
  const [exts] = fields(der, values, [0x30], 'extensionRequest');
  for (const ext of readChildren(der, exts!)) {
    if (ext.tag !== 0x30) throw new RangeError('bad extension');
    const parts = readChildren(der, ext);
    // extnID, critical BOOLEAN (DER omits the default FALSE: only TRUE may appear), extnValue OCTET STRING.
    const tags = parts.length === 3 ? [0x06, 0x01, 0x04] : [0x06, 0x04];
    fields(der, ext, tags, 'extension');
    if (parts.length === 3 && der[parts[1]!.contentStart] !== 0xff)
      throw new RangeError('extension: an explicit critical FALSE');
    const oid = decodeOid(der, parts[0]!);
    if (extensions.some((e) => e.oid === oid)) throw new RangeError(`extension ${oid} requested twice`);
    const value = parts[parts.length - 1]!;
    extensions.push({ oid, value: der.subarray(value.contentStart, value.end) });
  }
}

function readAttributes(
  der: Uint8Array,
  attrs: Tlv,
): { attributes: string[]; extensions: Array<{ oid: string; value: Uint8Array }> } {
  const attributes: string[] = [];
  const extensions: Array<{ oid: string; value: Uint8Array }> = [];
  for (const attr of readChildren(der, attrs)) {
    if (attr.tag !== 0x30) throw new RangeError('bad attribute');
    const [type, values] = fields(der, attr, [0x06, 0x31], 'attribute');
    const oid = decodeOid(der, type!);
    if (attributes.includes(oid)) throw new RangeError(`attribute ${oid} appears twice`);
    attributes.push(oid);
    if (oid === OID_EXTENSION_REQUEST) readExtensionRequest(der, values!, extensions);
  }
  return { attributes, extensions };
}

/** Parses a CSR (PEM or DER) in DER mode. Throws RangeError for anything that is not exactly a PKCS#10 request. */
export function parseCsr(data: string | Uint8Array): ParsedCsr {
  const der = toDer(data);
  assertDer(der);
  const top = readTlv(der, 0);
  if (top.tag !== 0x30) throw new RangeError('not a SEQUENCE');
  const [infoTlv, sigAlg, sigBits] = fields(der, top, [0x30, 0x30, 0x03], 'CertificationRequest');
  const [version, name, spkiTlv, attrs] = fields(
    der,
    infoTlv!,
    [0x02, 0x30, 0x30, 0xa0],
    'CertificationRequestInfo',
  );
  if (version!.end - version!.contentStart !== 1 || der[version!.contentStart] !== 0)
    throw new RangeError('CertificationRequestInfo: version must be 0 (v1)');
  const [, spkiBits] = fields(der, spkiTlv!, [0x30, 0x03], 'SubjectPublicKeyInfo');
  bitStringBytes(der, spkiBits!, 'subjectPublicKey');
  const [algOid] = fields(der, sigAlg!, [0x06, -1], 'signatureAlgorithm', 1);
  return {
    der,
    info: der.subarray(infoTlv!.start, infoTlv!.end),
    sigAlgOid: decodeOid(der, algOid!),
    sigAlg: der.subarray(sigAlg!.start, sigAlg!.end),
    signature: bitStringBytes(der, sigBits!, 'signature'),
    spki: der.subarray(spkiTlv!.start, spkiTlv!.end),
    subject: readSubject(der, name!),
    ...readAttributes(der, attrs!),
  };
}
