/** The CA admin CLI commands that talk to a running CA over HTTPS (registered in cli/src/registry.ts). */
export { caReleaseCommand, caRevokeCommand } from './admin';
