/** HTTPS client for the CA pinned by root fingerprint (Node). */
export {
  CaClient,
  pemFingerprint,
  type CaClientOptions,
  type IssuedWire,
  type RawResponse,
} from './ca-client';
