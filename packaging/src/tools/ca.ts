/** The `helmlink-ca` one-file executable: its service user, credentials and commands. */
import {
  caAuditVerifyCommand,
  caBrokerCommand,
  caBrokerSyncCommand,
  caExportCommand,
  caImportIntermediateCommand,
  caInitCommand,
  caServeCommand,
  caTokenCommand,
  csrCheckCommand,
} from '@helmlink/ca-server/cli';
import type { ToolSpec } from './tool';

/** The CA tool: the HTTPS service and the CA's administration commands. */
export const CA_TOOL: ToolSpec = {
  name: 'helmlink-ca',
  group: 'ca',
  serviceUser: 'helmlink-ca',
  credentials: { 'ca-passphrase': '/etc/helmlink/credentials/ca-passphrase' },
  commands: {
    init: caInitCommand,
    'import-intermediate': caImportIntermediateCommand,
    serve: caServeCommand,
    token: caTokenCommand,
    'audit verify': caAuditVerifyCommand,
    export: caExportCommand,
    broker: caBrokerCommand,
    'broker sync': caBrokerSyncCommand,
    'csr-check': csrCheckCommand,
  },
};
