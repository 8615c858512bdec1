export * from './files';
export * from './csr';
export * from './ca-client';
export * from './enroll';
export * from './renew';
export * from './node-sign';
export * from './renewal';
