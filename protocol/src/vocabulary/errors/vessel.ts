/** Error codes owned by `@helmlink/vessel` (listener, identity, state store, hand-off). */
export const VESSEL_ERRORS = {
  ERR_CONFIG_INVALID: 'The vessel configuration file is not valid',
  ERR_NOT_ENROLLED: 'The vessel has no key and certificate yet: run helmlink vessel enroll',
  ERR_HOOK_REJECTED: 'The ship systems hook refused the new state (non-zero exit, timeout or not runnable)',
  ERR_STATE_STORE: 'The persisted vessel state cannot be read or written',
  ERR_STATE_JOURNAL_DAMAGED:
    'A line inside the vessel state journal is damaged: the vessel refuses to start (see helmlink vessel state-repair)',
  ERR_RENEWAL_FAILED: 'The certificate renewal failed',
  ERR_HANDOFF_REDIS: 'The Redis hand-off to the ship systems is unavailable or failed',
  ERR_RESPONSE_TOPIC_REFUSED:
    "A command named an MQTT 5 response topic other than the vessel's ack topic: the ack went to the ack topic only",
  ERR_VESSEL_LOCKED: 'Another process is using this vessel data folder: one listener per vessel',
  ERR_ALREADY_ENROLLED:
    'This vessel data folder is already enrolled: pass --force to replace its key and certificate',
} as const;

/** A code `@helmlink/vessel` throws or alerts with (besides the protocol's and the CA client's). */
export type VesselErrorCode = keyof typeof VESSEL_ERRORS;
