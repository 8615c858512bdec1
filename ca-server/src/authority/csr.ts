/**
 * The CSR policy shared by `POST /ca/v1/enroll`, `POST /ca/v1/renew` and `helmlink csr-check`: a CSR read in DER
 * mode (csr-parse.ts), a verifying signature with an accepted algorithm that fits the key (RSASSA-PSS parameters
 * included), a public key within the key policy, a subject of exactly one CN (= the entity id, plus optionally O) and
 * no requested extension beyond the profile's own SAN URIs.
 *
 * The signature is checked with node:crypto: this is the CA's hot path (a full @peculiar/x509 parse costs about a
 * millisecond per request).
 */
import { constants, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import {
  assertDer,
  assertEntityId,
  HelmlinkError,
  checkPublicKeyPolicy,
  checkSignatureAlgorithm,
  identityUris,
  isHelmlinkError,
  readChildren,
  readTlv,
  signatureSchemeOf,
  type EntityIdentity,
  type KeySpec,
  type SignatureScheme,
} from '@helmlink/protocol';
import { parseCsr, type ParsedCsr } from './csr-parse';

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SAN = '2.5.29.17';
const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';
const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';

export interface CheckedCsr {
  entityId: string;
  keySpec: KeySpec;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
}

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);

/** The URIs of a SubjectAltName value, or the first non-URI name as `type:…` (refused by the caller). */
function sanNames(value: Uint8Array): string[] {
  const seq = readTlv(value, 0);
  return readChildren(value, seq).map((n) =>
    n.tag === 0x86 ? latin1(value.subarray(n.contentStart, n.end)) : `tag-${n.tag.toString(16)}:`,
  );
}

/** A SAN value in DER mode (the request's own DER check does not enter OCTET STRINGs). */
function sanNamesDer(value: Uint8Array): string[] {
  assertDer(value);
  return sanNames(value);
}

function parseOrRefuse(data: string | Uint8Array): ParsedCsr {
  try {
    return parseCsr(data);
  } catch (cause) {
    const detail = cause instanceof RangeError ? `: ${cause.message}` : '';
    throw new HelmlinkError(
      'ERR_CSR_INVALID',
      `the certificate request is not a DER PKCS#10 request (PEM CERTIFICATE REQUEST or DER expected)${detail}`,
      { cause },
    );
  }
}

// Accepted schemes by the exact bytes of their AlgorithmIdentifier: every vessel's CSR names one of a handful, and an
// ASN.1 schema parse per request was a tenth of an enrollment's CPU. Only what signatureSchemeOf accepted is kept
// (bounded), and a different encoding of the same algorithm is judged on its own.
const acceptedSchemes = new Map<string, SignatureScheme>();

/** {@link signatureSchemeOf}, parsed once per distinct AlgorithmIdentifier encoding. */
function schemeOf(sigAlg: Uint8Array): SignatureScheme {
  const key = Buffer.from(sigAlg.buffer, sigAlg.byteOffset, sigAlg.byteLength).toString('latin1');
  const known = acceptedSchemes.get(key);
  if (known) return { ...known };
  const scheme = signatureSchemeOf(sigAlg);
  if (acceptedSchemes.size < 64) acceptedSchemes.set(key, { ...scheme });
  return scheme;
}

/** The accepted scheme the CSR declares, RSASSA-PSS parameters included (SHA-1 inside them is weak). */
function declaredScheme(csr: ParsedCsr): SignatureScheme {
  checkSignatureAlgorithm(csr.sigAlgOid);
  try {
    return schemeOf(csr.sigAlg);
  } catch (cause) {
    if (!isHelmlinkError(cause)) throw cause;
    if (csr.sigAlgOid === OID_RSASSA_PSS)
      throw new HelmlinkError(
        'ERR_SIG_ALG_WEAK',
        'RSASSA-PSS must name SHA-256, SHA-384 or SHA-512 for both its hash and MGF1 (SHA-1 is refused)',
        { cause, details: { algorithm: 'RSASSA-PSS' } },
      );
    throw new HelmlinkError('ERR_CSR_INVALID', `the signature algorithm is malformed: ${cause.message}`, {
      cause,
    });
  }
}

const SCHEME_KEYS: Record<SignatureScheme['kind'], readonly KeySpec[]> = {
  ecdsa: ['ecdsa-p256', 'ecdsa-p384'],
  ed25519: ['ed25519'],
  'rsa-pkcs1': ['rsa-3072', 'rsa-4096'],
  'rsa-pss': ['rsa-3072', 'rsa-4096'],
};

const NODE_HASH = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const;

const EC_CURVES: Partial<Record<KeySpec, { crv: string; size: number }>> = {
  'ecdsa-p256': { crv: 'P-256', size: 32 },
  'ecdsa-p384': { crv: 'P-384', size: 48 },
};

/**
 * The CSR's public key as a KeyObject. An EC key with an uncompressed point goes in as its JWK coordinates: OpenSSL
 * builds it from x and y, checking the point is on the curve, in about half the time of decoding the SPKI (the
 * largest single cost of an enrollment). Anything else is decoded from the SPKI.
 */
function publicKeyOf(spki: Uint8Array, keySpec: KeySpec): KeyObject {
  const curve = EC_CURVES[keySpec];
  const bits = curve ? readChildren(spki, readTlv(spki, 0))[1] : undefined;
  if (curve && bits?.tag === 0x03 && bits.end - bits.contentStart === 2 + 2 * curve.size) {
    const point = Buffer.from(spki.subarray(bits.contentStart + 1, bits.end));
    if (spki[bits.contentStart] === 0 && point[0] === 0x04) {
      return createPublicKey({
        key: {
          kty: 'EC',
          crv: curve.crv,
          x: point.subarray(1, 1 + curve.size).toString('base64url'),
          y: point.subarray(1 + curve.size).toString('base64url'),
        },
        format: 'jwk',
      });
    }
  }
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

/** Verifies the self-signature with exactly the declared scheme (node:crypto, synchronous). */
function verifiesAs(scheme: SignatureScheme, csr: ParsedCsr, spki: Uint8Array, keySpec: KeySpec): boolean {
  try {
    const key = publicKeyOf(spki, keySpec);
    switch (scheme.kind) {
      case 'ed25519':
        return nodeVerify(null, csr.info, key, csr.signature);
      case 'ecdsa':
        // One spelling of (r, s): a non-minimal ECDSA-Sig-Value would be a second valid signature.
        assertDer(csr.signature);
        return nodeVerify(NODE_HASH[scheme.hash], csr.info, { key, dsaEncoding: 'der' }, csr.signature);
      case 'rsa-pkcs1':
        return nodeVerify(
          NODE_HASH[scheme.hash],
          csr.info,
          { key, padding: constants.RSA_PKCS1_PADDING },
          csr.signature,
        );
      case 'rsa-pss':
        return nodeVerify(
          NODE_HASH[scheme.hash],
          csr.info,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength },
          csr.signature,
        );
    }
  } catch {
    return false;
  }
}

/** The algorithm, key and signature checks: returns the key specification. */
async function checkSignature(csr: ParsedCsr, spki: Uint8Array): Promise<KeySpec> {
  const scheme = declaredScheme(csr);
  const keySpec = await checkPublicKeyPolicy(spki);
  if (!SCHEME_KEYS[scheme.kind].includes(keySpec))
    throw new HelmlinkError(
      'ERR_CSR_SIGNATURE',
      `the request declares a ${scheme.kind} signature but carries a ${keySpec} key`,
      { details: { algorithm: scheme.kind, keySpec } },
    );
  if (!verifiesAs(scheme, csr, spki, keySpec)) throw new HelmlinkError('ERR_CSR_SIGNATURE');
  return keySpec;
}

/** The one CN of the subject (plus optionally O), a valid entity id and, when expected, the enrolled one. */
function checkSubject(csr: ParsedCsr, expected: EntityIdentity | undefined): string {
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
      { details: { expected: expected.entityId } },
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
  return entityId;
}

/** No attribute but extensionRequest, no extension but a SAN whose URIs the identity's profile grants. */
function checkRequestedNames(csr: ParsedCsr, expected: EntityIdentity | undefined): void {
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
      names = sanNamesDer(ext.value);
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
}

/**
 * Checks a CSR (PEM or DER). When `expected` is given, the CN must be its entity id and requested SAN URIs must be
 * among the profile URIs of that identity (without it, no SAN may be requested). Throws ERR_CSR_INVALID,
 * ERR_SIG_ALG_WEAK, ERR_KEY_WEAK, ERR_KEY_UNSUPPORTED, ERR_CSR_SIGNATURE, ERR_CSR_SUBJECT_MISMATCH or
 * ERR_CSR_EXTENSION_FORBIDDEN.
 */
export async function checkCsr(data: string | Uint8Array, expected?: EntityIdentity): Promise<CheckedCsr> {
  const csr = parseOrRefuse(data);
  const spki = csr.spki.slice();
  const keySpec = await checkSignature(csr, spki);
  const entityId = checkSubject(csr, expected);
  checkRequestedNames(csr, expected);
  return { entityId, keySpec, spki };
}

/**
 * The subject CN of a CSR that parses, without any policy: what `helmlink csr-check` takes as the entity id when it
 * is not given one. Throws ERR_CSR_INVALID when the request does not parse.
 */
export function csrCommonName(data: string | Uint8Array): string | undefined {
  return parseOrRefuse(data).subject.find(([oid]) => oid === OID_CN)?.[1];
}
