/** The CA's CLI commands (registered in cli/src/registry.ts). */
export { caInitCommand } from './init';
export { caImportIntermediateCommand } from './import-intermediate';
export { caServeCommand } from './serve';
export { caTokenCommand } from './token';
export { caAuditVerifyCommand } from './audit-verify';
export { caExportCommand } from './export';
export { caBrokerCommand, caBrokerSyncCommand } from './broker';
export { csrCheckCommand } from './csr-check';
