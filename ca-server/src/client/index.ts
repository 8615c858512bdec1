/** HTTPS client for the CA pinned by root fingerprint (Node). */
export {
  CaClient,
  pemFingerprint,
  type CaClientOptions,
  type IssuedWire,
  type PinnedChain,
  type RawResponse,
} from './ca-client';
