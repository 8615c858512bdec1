// Each package adds its commands here, one `register` call per command; loading stays lazy.
import { register } from './commands';

register('version', 'Print the Helmlink version', async () => (await import('./version')).versionCommand);
register('vessel enroll', 'Enroll this vessel at the CA with a one-time token', async () => (await import('@helmlink/vessel/cli')).vesselEnrollCommand);
register('vessel run', 'Run the vessel listener (verify, apply, persist, ack)', async () => (await import('@helmlink/vessel/cli')).vesselRunCommand);
register('vessel status', 'Show vessel identity, certificate, CRL, broker and stream state', async () => (await import('@helmlink/vessel/cli')).vesselStatusCommand);
register('verify-command', 'Verify a signed command token as a vessel would (offline, with replay state)', async () => (await import('@helmlink/protocol/node')).verifyCommandCommand);
register('sign-command', 'Sign a streams.set command token (for hand testing)', async () => (await import('@helmlink/protocol/node')).signCommandCommand);
register('verify-chain', 'Validate a certificate path with CRLs (RFC 5280) from files', async () => (await import('@helmlink/protocol/node')).verifyChainCommand);
register('console', 'Run the operator console in a browser over the loopback web bridge (--web)', async () => (await import('@helmlink/app-main/cli')).consoleCommand);
