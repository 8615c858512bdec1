/**
 * The CSR policy shared by `POST /ca/v1/enroll`, `POST /ca/v1/renew` and `helmlink csr-check`: a verifying
 * signature with an accepted algorithm, a public key within the key policy, a subject of exactly one CN (= the
 * entity id, plus optionally O) and no requested extension beyond the profile's own SAN URIs.
 */
import '@helmlink/protocol';
import { constants, createPublicKey, verify as nodeVerify } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import {
  HelmlinkError,
  checkPublicKeyPolicy,
  checkSignatureAlgorithm,
  identityUris,
  isHelmlinkError,
  parseCsr,
  type EntityIdentity,
  type KeySpec,
} from '@helmlink/protocol';
import { decodeOid, readChildren, readTlv } from './der';
import { assertEntityId } from './entity';

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';

export interface CheckedCsr {
  csr: x509.Pkcs10CertificateRequest;
  entityId: string;
  keySpec: KeySpec;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
}

/**
 * Checks a CSR (PEM or DER). When `expected` is given, the CN must be its entity id and requested SAN URIs must be
 * among the profile URIs of that identity. Throws ERR_CSR_INVALID, ERR_SIG_ALG_WEAK, ERR_KEY_WEAK,
 * ERR_KEY_UNSUPPORTED, ERR_CSR_SIGNATURE, ERR_CSR_SUBJECT_MISMATCH or ERR_CSR_EXTENSION_FORBIDDEN.
 */
export async function checkCsr(data: string | Uint8Array, expected?: EntityIdentity): Promise<CheckedCsr> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = parseCsr(data);
  } catch (cause) {
    throw new HelmlinkError('ERR_CSR_INVALID', 'the certificate request cannot be parsed (PEM CERTIFICATE REQUEST or DER expected)', { cause });
  }
  const der = new Uint8Array(csr.rawData);
  let info: Uint8Array;
  let sigAlgOid: string;
  let signature: Uint8Array;
  try {
    const [infoTlv, sigAlg, sigBits] = readChildren(der, readTlv(der, 0));
    info = der.subarray(infoTlv!.start, infoTlv!.end);
    sigAlgOid = decodeOid(der, readChildren(der, sigAlg!)[0]!);
    signature = der.subarray(sigBits!.contentStart + 1, sigBits!.end);
  } catch (cause) {
    throw new HelmlinkError('ERR_CSR_INVALID', 'the certificate request structure is malformed', { cause });
  }
  checkSignatureAlgorithm(sigAlgOid);
  const spki = new Uint8Array(csr.publicKey.rawData);
  const keySpec = await checkPublicKeyPolicy(spki);
  if (!(await verifyCsrSignature(csr, sigAlgOid, info, signature, spki))) throw new HelmlinkError('ERR_CSR_SIGNATURE');

  const rdns = csr.subjectName.toJSON();
  const cns: string[] = [];
  for (const rdn of rdns) {
    for (const [type, values] of Object.entries(rdn)) {
      if (type === 'CN' || type === OID_CN) cns.push(...values);
      else if (!(type === 'O' || type === OID_O)) {
        throw new HelmlinkError('ERR_CSR_SUBJECT_MISMATCH', `the subject may only carry CN (and O), not ${type}`);
      }
    }
  }
  if (cns.length !== 1) throw new HelmlinkError('ERR_CSR_SUBJECT_MISMATCH', 'the subject needs exactly one CN');
  const entityId = cns[0]!;
  if (expected && entityId !== expected.entityId) {
    throw new HelmlinkError('ERR_CSR_SUBJECT_MISMATCH', `the subject CN ${JSON.stringify(entityId)} is not the enrolled entity`, {
      details: { expected: expected.entityId },
    });
  }
  try {
    assertEntityId(entityId);
  } catch (cause) {
    if (isHelmlinkError(cause)) throw new HelmlinkError('ERR_CSR_SUBJECT_MISMATCH', 'the subject CN is not a valid entity id', { cause });
    throw cause;
  }

  const allowedUris = new Set(expected ? identityUris(expected) : []);
  for (const attr of csr.attributes) {
    if (attr.type !== OID_EXTENSION_REQUEST) throw new HelmlinkError('ERR_CSR_EXTENSION_FORBIDDEN', `the request carries attribute ${attr.type}`);
  }
  for (const ext of csr.extensions) {
    if (!(ext instanceof x509.SubjectAlternativeNameExtension)) {
      throw new HelmlinkError('ERR_CSR_EXTENSION_FORBIDDEN', `the request asks for extension ${ext.type}; the CA sets extensions from the profile`);
    }
    for (const name of ext.names.items) {
      if (name.type !== 'url' || !allowedUris.has(name.value)) {
        throw new HelmlinkError('ERR_CSR_EXTENSION_FORBIDDEN', `the request asks for the name ${name.type}:${name.value} that the enrollment does not grant`);
      }
    }
  }
  return { csr, entityId, keySpec, spki };
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

/** Verifies the CSR's self-signature with node:crypto (synchronous, no thread-pool hop); RSA-PSS via @peculiar/x509. */
async function verifyCsrSignature(csr: x509.Pkcs10CertificateRequest, oid: string, info: Uint8Array, signature: Uint8Array, spki: Uint8Array): Promise<boolean> {
  try {
    if (!(oid in NODE_HASH)) return await csr.verify();
    const key = createPublicKey({ key: Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength), format: 'der', type: 'spki' });
    const rsa = oid.startsWith('1.2.840.113549.');
    return nodeVerify(NODE_HASH[oid] ?? null, info, rsa ? { key, padding: constants.RSA_PKCS1_PADDING } : { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
