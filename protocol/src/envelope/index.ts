export * from './types';
export * from './digest';
export * from './trust';
export * from './sign';
export * from './verify';
export * from './attribution';
export * from './peek';
export * from './vessel-events';
export { DEFAULT_SIGNER_CERTIFICATES, SignerCertificates } from './certificates';
