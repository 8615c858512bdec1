// Re-exports used by the CA test (keeps its import list short).
import { importPrivateKey } from '@helmlink/protocol';
export * from '../../src';
export { vesselEnrollCommand, vesselStatusCommand } from '../../src/cli';
/** Imports a PKCS#8 key for signing. */
export const importPrivateKeyForTest = (pkcs8: Uint8Array): Promise<CryptoKey> =>
  importPrivateKey(pkcs8, { extractable: true });
