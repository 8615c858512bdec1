/**
 * What a vessel tells the ROC without being asked: its alerts (signed `helmlink-alert+jwt` on
 * `helmlink/v1/vessels/{id}/alert`) and its link status (signed `helmlink-link+jwt`, retained on
 * `helmlink/v1/vessels/{id}/link`; `down` is the vessel's MQTT Last Will, published by the broker when the vessel's
 * connection is lost). The console words them; the CA forwards alerts to its webhook.
 */

/** Every kind of vessel alert, with the words a console shows for it. */
export const VESSEL_ALERT_KINDS = {
  'unattributable-command': 'A command that cannot be attributed to an authorised pilot was dropped',
  'response-topic-refused':
    "A command named a response topic other than the vessel's ack topic: the ack went to the ack topic only",
  'renewal-failing': "The vessel's certificate renewal keeps failing",
  'crl-stale': "The vessel's CRL is too old: commands are refused until a newer one arrives",
  'crl-rejected': 'The vessel refused a CRL that does not verify',
  'state-store': 'The vessel cannot persist its state: commands are not acknowledged',
  redis: 'The Redis hand-off to the ship systems failed',
  'broker-revoked': 'The broker presented a revoked certificate: the vessel refused it',
} as const;

export type VesselAlertKind = keyof typeof VESSEL_ALERT_KINDS;

/** True when `kind` is a registered vessel alert kind. */
export function isVesselAlertKind(kind: unknown): kind is VesselAlertKind {
  return typeof kind === 'string' && Object.hasOwn(VESSEL_ALERT_KINDS, kind);
}

/** Longest alert message carried in a token (characters). */
export const MAX_ALERT_MESSAGE_LENGTH = 500;

/** The link status a vessel reports: `up` when its session is ready, `down` as its Last Will. */
export const LINK_STATUSES = ['up', 'down'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];
