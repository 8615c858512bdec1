/**
 * @helmlink/ca-client: the CA's HTTPS client pinned by the root fingerprint (Node), and the wire contract it shares
 * with the server's routes (`@helmlink/ca-client/wire`). Imports nothing but `@helmlink/protocol` and Node.
 */
export { CaClient, type CaClientOptions, type CertificateFilter, type PinnedChain } from './ca-client';
export { pemFingerprint } from './pin';
export type { RawResponse } from './transport';
export * from './wire';
