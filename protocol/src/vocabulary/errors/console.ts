/** Error codes owned by the operator console (`app/main`, `app/preload`, `app/renderer`). */
export const CONSOLE_ERRORS = {
  ERR_IPC_SENDER_FORBIDDEN:
    'The request did not come from the console window or an authenticated bridge session',
  ERR_IPC_CHANNEL_UNKNOWN: 'No such console API channel',
  ERR_IPC_PAYLOAD_INVALID: 'The request does not match the channel schema',
  ERR_KEYCHAIN_UNAVAILABLE: 'No secure OS keychain is available: choose passphrase-only protection instead',
  ERR_KEYCHAIN_ENTRY_MISSING: 'The data key of the stored private key is missing from the OS keychain',
  ERR_IDENTITY_MISSING: 'No identity is enrolled yet',
  ERR_IDENTITY_EXISTS: 'An identity is already stored: remove it first',
  ERR_IDENTITY_LOCKED: 'Enter the passphrase to unlock the signing key',
  ERR_IDENTITY_INVALID: 'The key and certificate do not form a usable identity',
  ERR_IMPORT_INVALID: 'The identity file cannot be read',
  ERR_IDENTITY_REVOKED:
    'Your certificate was revoked: the broker and the vessels refuse it. Enroll again with a new token from your administrator',
  ERR_SETTINGS_MISSING: 'A required setting is missing',
  ERR_BROKER_NOT_SET: 'No broker address is set: enter it in Settings',
  ERR_BROKER_CONNECT: 'The broker connection failed',
  ERR_VESSEL_UNKNOWN: 'No verified state is known for this vessel',
  ERR_VESSEL_REVOKED:
    "The vessel's certificate is revoked: its state is not trusted and commands to it are refused",
  ERR_VESSEL_UNVERIFIED:
    "The vessel's last state could not be verified: commands to it are refused until one does",
  ERR_VESSEL_SILENT: 'Nothing current has been heard from the vessel: its signed state expired',
  ERR_VESSEL_LINK_DOWN:
    "The vessel's link to the broker is down: the broker lost it and published its signed Last Will",
  ERR_STATE_ROLLBACK:
    'A vessel state older than one already verified (a lower sequence number) was refused: an old state replayed',
  ERR_FLEET_STORE: "The console's record of verified vessel state sequence numbers cannot be read or written",
  ERR_COMMAND_TIMEOUT: 'No verified acknowledgement arrived in time',
  ERR_ACK_UNVERIFIABLE:
    'An acknowledgement arrived but names a vessel certificate the console has not validated, and no vessel state made it known in time',
  ERR_COMMAND_EXPIRED:
    'The command expired without a verified acknowledgement: the vessel can no longer apply it',
  ERR_CONSOLE_NOT_ADMIN: 'This needs an administrator identity',
  ERR_BRIDGE_NON_LOOPBACK: 'The web bridge only listens on a loopback address',
  ERR_BRIDGE_DISCONNECTED: 'The console page is not connected to the web bridge (reconnecting)',
  ERR_BRIDGE_SESSION_ENDED:
    'The console page session has ended (expired or logged out): open a new console link',
  ERR_RENDERER_NOT_BUILT: 'The console page is not built: run npm run build',
} as const;

/** A code the console throws (besides the protocol's and the CA client's, and the CA's it passes on). */
export type ConsoleErrorCode = keyof typeof CONSOLE_ERRORS;
