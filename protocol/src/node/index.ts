/** Node-only helpers of the protocol package (file I/O, CLI kit). Never imported by the renderer. */
export * from './cli-kit';
export * from './replay-file';
export * from './atomic-file';
export * from './passphrase';
export { verifyCommandCommand } from '../cli/verify-command';
export { signCommandCommand } from '../cli/sign-command';
export { verifyChainCommand } from '../cli/verify-chain';
export * from './signature';
export * from './keyfile';
export * from './ports';
export * from './systemd';
export * from './secret-input';
export * from './tls-policy';
export * from './cert-writer-crypto';
