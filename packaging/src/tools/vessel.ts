/** The `helmlink-vessel` one-file executable: its service user, credentials and commands. */
import {
  vesselEnrollCommand,
  vesselRunCommand,
  vesselStateRepairCommand,
  vesselStatusCommand,
} from '@helmlink/vessel/cli';
import type { ToolSpec } from './tool';

/** The vessel tool: the listener service and its administration commands. */
export const VESSEL_TOOL: ToolSpec = {
  name: 'helmlink-vessel',
  group: 'vessel',
  serviceUser: 'helmlink-vessel',
  credentials: { 'key-passphrase': '/etc/helmlink/credentials/vessel-key-passphrase' },
  commands: {
    run: vesselRunCommand,
    enroll: vesselEnrollCommand,
    status: vesselStatusCommand,
    'state-repair': vesselStateRepairCommand,
  },
};
