/**
 * The CSR policy shared by `POST /ca/v1/enroll`, `POST /ca/v1/renew` and `helmlink csr-check`: a verifying
 * signature with an accepted algorithm, a public key within the key policy, a subject of exactly one CN (= the
 * entity id, plus optionally O) and no requested extension beyond the profile's own SAN URIs.
 *
 * The PKCS#10 structure is read with a small DER reader and the signature checked with node:crypto: this is the
 * CA's hot path (a full @peculiar/x509 parse costs about a millisecond per request).
 */
import { constants, createPublicKey, verify as nodeVerify } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import {
  assertEntityId,
  HelmlinkError,
  checkPublicKeyPolicy,
  checkSignatureAlgorithm,
  decodePem,
  identityUris,
  isHelmlinkError,
  type EntityIdentity,
  type KeySpec,
  decodeOid,
  readChildren,
  readTlv,
  type Tlv,
} from '@helmlink/protocol';

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SAN = '2.5.29.17';
const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';

export interface CheckedCsr {
  entityId: string;
  keySpec: KeySpec;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
}

interface ParsedCsr {
  der: Uint8Array;
  info: Uint8Array;
  sigAlgOid: string;
  signature: Uint8Array;
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
  if (typeof data !== 'string') return data;
  const block = decodePem(data).find(
    (b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST',
  );
  if (!block) throw new RangeError('no CERTIFICATE REQUEST block');
  return block.der;
}

function parse(data: string | Uint8Array): ParsedCsr {
  const der = toDer(data);
  const top = readTlv(der, 0);
  if (top.tag !== 0x30 || top.end !== der.length) throw new RangeError('not a single SEQUENCE');
  const [infoTlv, sigAlg, sigBits] = readChildren(der, top);
  if (!infoTlv || !sigAlg || !sigBits || infoTlv.tag !== 0x30 || sigAlg.tag !== 0x30 || sigBits.tag !== 0x03)
    throw new RangeError('not a CertificationRequest');
  const [version, name, spkiTlv, attrs] = readChildren(der, infoTlv);
  if (!version || version.tag !== 0x02 || !name || name.tag !== 0x30 || !spkiTlv || spkiTlv.tag !== 0x30)
    throw new RangeError('bad CertificationRequestInfo');
  const subject: Array<[string, string]> = [];
  for (const rdn of readChildren(der, name)) {
    if (rdn.tag !== 0x31) throw new RangeError('bad RDN');
    for (const atv of readChildren(der, rdn)) {
      const [type, value] = readChildren(der, atv);
      subject.push([decodeOid(der, type!), decodeString(der, value!)]);
    }
  }
  const attributes: string[] = [];
  const extensions: Array<{ oid: string; value: Uint8Array }> = [];
  if (attrs) {
    if (attrs.tag !== 0xa0) throw new RangeError('bad attributes');
    for (const attr of readChildren(der, attrs)) {
      const [type, values] = readChildren(der, attr);
      const oid = decodeOid(der, type!);
      attributes.push(oid);
      if (oid !== OID_EXTENSION_REQUEST) continue;
      for (const exts of readChildren(der, values!)) {
        for (const ext of readChildren(der, exts)) {
          const parts = readChildren(der, ext);
          const value = parts[parts.length - 1]!;
          if (value.tag !== 0x04) throw new RangeError('bad extension');
          extensions.push({
            oid: decodeOid(der, parts[0]!),
            value: der.subarray(value.contentStart, value.end),
          });
        }
      }
    }
  }
  return {
    der,
    info: der.subarray(infoTlv.start, infoTlv.end),
    sigAlgOid: decodeOid(der, readChildren(der, sigAlg)[0]!),
    signature: der.subarray(sigBits.contentStart + 1, sigBits.end),
    spki: der.subarray(spkiTlv.start, spkiTlv.end),
    subject,
    attributes,
    extensions,
  };
}

/** The URIs of a SubjectAltName value, or the first non-URI name as `type:…` (refused by the caller). */
function sanNames(value: Uint8Array): string[] {
  const seq = readTlv(value, 0);
  return readChildren(value, seq).map((n) =>
    n.tag === 0x86 ? latin1(value.subarray(n.contentStart, n.end)) : `tag-${n.tag.toString(16)}:`,
  );
}

/**
 * Checks a CSR (PEM or DER). When `expected` is given, the CN must be its entity id and requested SAN URIs must be
 * among the profile URIs of that identity. Throws ERR_CSR_INVALID, ERR_SIG_ALG_WEAK, ERR_KEY_WEAK,
 * ERR_KEY_UNSUPPORTED, ERR_CSR_SIGNATURE, ERR_CSR_SUBJECT_MISMATCH or ERR_CSR_EXTENSION_FORBIDDEN.
 */
export async function checkCsr(data: string | Uint8Array, expected?: EntityIdentity): Promise<CheckedCsr> {
  let csr: ParsedCsr;
  try {
    csr = parse(data);
  } catch (cause) {
    throw new HelmlinkError(
      'ERR_CSR_INVALID',
      'the certificate request cannot be parsed (PEM CERTIFICATE REQUEST or DER expected)',
      { cause },
    );
  }
  checkSignatureAlgorithm(csr.sigAlgOid);
  const spki = csr.spki.slice();
  const keySpec = await checkPublicKeyPolicy(spki);
  if (!(await verifyCsrSignature(csr))) throw new HelmlinkError('ERR_CSR_SIGNATURE');

  const cns: string[] = [];
  for (const [oid, value] of csr.subject) {
    if (oid === OID_CN) cns.push(value);
    else if (oid !== OID_O)
      throw new HelmlinkError(
        'ERR_CSR_SUBJECT_MISMATCH',
        `the subject may only carry CN (and O), not ${oid}`,
      );
  }
  if (cns.length !== 1)
    throw new HelmlinkError('ERR_CSR_SUBJECT_MISMATCH', 'the subject needs exactly one CN');
  const entityId = cns[0]!;
  if (expected && entityId !== expected.entityId) {
    throw new HelmlinkError(
      'ERR_CSR_SUBJECT_MISMATCH',
      `the subject CN ${JSON.stringify(entityId)} is not the enrolled entity`,
      {
        details: { expected: expected.entityId },
      },
    );
  }
  try {
    assertEntityId(entityId);
  } catch (cause) {
    if (isHelmlinkError(cause))
      throw new HelmlinkError('ERR_CSR_SUBJECT_MISMATCH', 'the subject CN is not a valid entity id', {
        cause,
      });
    throw cause;
  }

  const allowedUris = new Set(expected ? identityUris(expected) : []);
  for (const oid of csr.attributes) {
    if (oid !== OID_EXTENSION_REQUEST)
      throw new HelmlinkError('ERR_CSR_EXTENSION_FORBIDDEN', `the request carries attribute ${oid}`);
  }
  for (const ext of csr.extensions) {
    if (ext.oid !== OID_SAN) {
      throw new HelmlinkError(
        'ERR_CSR_EXTENSION_FORBIDDEN',
        `the request asks for extension ${ext.oid}; the CA sets extensions from the profile`,
      );
    }
    let names: string[];
    try {
      names = sanNames(ext.value);
    } catch (cause) {
      throw new HelmlinkError('ERR_CSR_INVALID', 'the requested subject alternative names cannot be parsed', {
        cause,
      });
    }
    for (const name of names) {
      if (!allowedUris.has(name))
        throw new HelmlinkError(
          'ERR_CSR_EXTENSION_FORBIDDEN',
          `the request asks for the name ${name} that the enrollment does not grant`,
        );
    }
  }
  return { entityId, keySpec, spki };
}

const NODE_HASH: Record<string, string | null> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

/** Verifies the CSR's self-signature with node:crypto (synchronous); RSA-PSS (rare) through @peculiar/x509. */
async function verifyCsrSignature(csr: ParsedCsr): Promise<boolean> {
  try {
    if (!(csr.sigAlgOid in NODE_HASH))
      return await new x509.Pkcs10CertificateRequest(csr.der.slice().buffer as ArrayBuffer).verify();
    const key = createPublicKey({
      key: Buffer.from(csr.spki.buffer, csr.spki.byteOffset, csr.spki.byteLength),
      format: 'der',
      type: 'spki',
    });
    const rsa = csr.sigAlgOid.startsWith('1.2.840.113549.');
    return nodeVerify(
      NODE_HASH[csr.sigAlgOid] ?? null,
      csr.info,
      rsa ? { key, padding: constants.RSA_PKCS1_PADDING } : { key, dsaEncoding: 'der' },
      csr.signature,
    );
  } catch {
    return false;
  }
}
