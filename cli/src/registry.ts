// Each package adds its commands here, one `register` call per command; loading stays lazy.
import { register } from './commands';

register('version', 'Print the Helmlink version', async () => (await import('./version')).versionCommand);
register(
  'vessel enroll',
  'Enroll this vessel at the CA with a one-time token',
  async () => (await import('@helmlink/vessel/cli')).vesselEnrollCommand,
);
register(
  'vessel run',
  'Run the vessel listener (verify, apply, persist, ack)',
  async () => (await import('@helmlink/vessel/cli')).vesselRunCommand,
);
register(
  'vessel status',
  'Show vessel identity, certificate, CRL, broker and stream state',
  async () => (await import('@helmlink/vessel/cli')).vesselStatusCommand,
);
register(
  'vessel state-repair',
  'Rebuild a state file whose journal is damaged, keeping a copy',
  async () => (await import('@helmlink/vessel/cli')).vesselStateRepairCommand,
);
register(
  'verify-command',
  'Verify a signed command token as a vessel would (offline, with replay state)',
  async () => (await import('@helmlink/protocol/node')).verifyCommandCommand,
);
register(
  'sign-command',
  'Sign a streams.set command token (for hand testing)',
  async () => (await import('@helmlink/protocol/node')).signCommandCommand,
);
register(
  'verify-chain',
  'Validate a certificate path with CRLs (RFC 5280) from files',
  async () => (await import('@helmlink/protocol/node')).verifyChainCommand,
);
register(
  'console',
  'Run the operator console in a browser over the loopback web bridge (--web)',
  async () => (await import('@helmlink/app-main/cli')).consoleCommand,
);
register(
  'ca init',
  'Create an offline root CA and an issuing CA (or a CSR for an external root)',
  async () => (await import('@helmlink/ca-server/cli')).caInitCommand,
);
register(
  'ca import-intermediate',
  'Install the issuing CA certificate signed by an external root',
  async () => (await import('@helmlink/ca-server/cli')).caImportIntermediateCommand,
);
register(
  'ca serve',
  'Serve the CA over HTTPS (enroll, renew, admin, CRL)',
  async () => (await import('@helmlink/ca-server/cli')).caServeCommand,
);
register(
  'ca token',
  'Create a one-time enrollment token',
  async () => (await import('@helmlink/ca-server/cli')).caTokenCommand,
);
register(
  'ca revoke',
  'Revoke a certificate or put it on hold (admin API over HTTPS, mutual TLS)',
  async () => (await import('@helmlink/ca-client/cli')).caRevokeCommand,
);
register(
  'ca release',
  'Release a certificate from hold (admin API over HTTPS, mutual TLS)',
  async () => (await import('@helmlink/ca-client/cli')).caReleaseCommand,
);
register(
  'ca audit verify',
  'Verify the hash chain of the CA audit log',
  async () => (await import('@helmlink/ca-server/cli')).caAuditVerifyCommand,
);
register(
  'ca export',
  'Write a JSON listing of issued certificates',
  async () => (await import('@helmlink/ca-server/cli')).caExportCommand,
);
register(
  'ca broker',
  'Issue the broker certificate and write Mosquitto TLS/CRL/ACL material',
  async () => (await import('@helmlink/ca-server/cli')).caBrokerCommand,
);
register(
  'ca broker sync',
  'Rewrite the broker CRL and ACL and restart or reload the broker',
  async () => (await import('@helmlink/ca-server/cli')).caBrokerSyncCommand,
);
register(
  'csr-check',
  'Check a CSR against the CA issuance policy',
  async () => (await import('@helmlink/ca-server/cli')).csrCheckCommand,
);
register(
  'demo',
  'Run the whole system locally: CA, broker (mutual TLS, CRL, ACL), three simulated vessels and the console',
  async () => (await import('./demo/command')).demoCommand,
);
