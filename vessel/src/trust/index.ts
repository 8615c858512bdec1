export * from './crls';
export * from './crl-keeper';
export * from './vessel-trust';
