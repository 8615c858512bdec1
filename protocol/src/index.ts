/**
 * @helmlink/protocol: the shared, runtime-neutral core (Node, Electron main and the renderer).
 * No Node built-ins, no Electron, no DOM-only APIs beyond WebCrypto.
 */
import './reflect';

export * from './errors';
export * from './clock';
export * from './vocabulary';
export * from './topics';
export * from './pki/profile';
export * from './pki/types';
export * from './pki/pem';
export { crlInfo, type CrlInfo, type CrlInput } from './pki/crl';
export * from './pki/build';
export { subjectNameDer, subjectNameText } from './pki/subject-name';
export * from './pki/csr';
export * from './keys';
export * from './acl';
export * from './catalog';
export * from './command';
export * from './replay';
export * from './envelope';
export * from './pki/validate';
export * from './pki/cache';
export * from './pki/crl-store';
export { LARGE_CRL_PARSE_OPTIONS } from './pki/crl-writer';
export {
  issueEndEntityCertificateFast,
  issueEndEntityCertificateDer,
  type CertWriterCrypto,
  type FastEndEntityParams,
} from './pki/cert-writer';
export {
  readTlv,
  readChildren,
  decodeOid,
  readTlvDer,
  readChildrenDer,
  assertDer,
  assertDerInteger,
  type Tlv,
} from './pki/der';
export { signatureSchemeOf, type SignatureScheme } from './pki/algorithms';
