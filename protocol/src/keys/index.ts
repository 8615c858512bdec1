/** Keys: generation per key specification, key policy, encrypted PKCS#8 at rest, JWS algorithm mapping. */
export * from './types';
export * from './generate';
export * from './policy';
export * from './pkcs8';
export * from './jws';
