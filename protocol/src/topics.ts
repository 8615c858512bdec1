/**
 * The MQTT topic scheme. Every topic is built here so that broker ACLs, the vessel and the console agree.
 *
 * - `helmlink/v1/vessels/{vesselId}/cmd`   signed commands to a vessel (QoS 1)
 * - `helmlink/v1/vessels/{vesselId}/ack`   signed acknowledgements from the vessel (QoS 1)
 * - `helmlink/v1/vessels/{vesselId}/state` signed vessel state (retained)
 * - `helmlink/v1/vessels/{vesselId}/data/{streamId}` stream samples
 * - `helmlink/v1/vessels/{vesselId}/alert` signed vessel alerts (QoS 1, not retained; envelope/vessel-events.ts)
 * - `helmlink/v1/vessels/{vesselId}/link`  signed link status (retained; `down` is the vessel's Last Will)
 * - `helmlink/v1/pki/crl` the issuing CA's current CRL, DER (retained)
 *
 * A vessel id is an entity id (vocabulary/entity-id.ts); a stream id is a topic level ({@link assertTopicId}).
 */
import { HelmlinkError } from './errors';
import { assertEntityId, isEntityId } from './vocabulary/entity-id';

export const TOPIC_ROOT = 'helmlink/v1';
export const CRL_TOPIC = `${TOPIC_ROOT}/pki/crl`;

/** Longest stream id accepted in a topic level; keeps topics well under broker limits. */
export const MAX_ID_LENGTH = 128;

// MQTT wildcards and the level separator would let an id address other topics; NUL is forbidden by MQTT.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_ID_CHARS = /[+#/\u0000]/u;

/** Throws ERR_ID_INVALID unless `id` is usable as one topic level. Returns the id. */
export function assertTopicId(id: unknown, what = 'id'): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new HelmlinkError('ERR_ID_INVALID', `${what} must be a non-empty string`);
  }
  if (id.length > MAX_ID_LENGTH) {
    throw new HelmlinkError('ERR_ID_INVALID', `${what} is longer than ${MAX_ID_LENGTH} characters`);
  }
  if (FORBIDDEN_ID_CHARS.test(id)) {
    throw new HelmlinkError('ERR_ID_INVALID', `${what} must not contain +, #, / or NUL`);
  }
  return id;
}

/** True when `id` is a valid topic id. */
export function isTopicId(id: unknown): id is string {
  try {
    assertTopicId(id);
    return true;
  } catch {
    return false;
  }
}

const vesselBase = (vesselId: string): string =>
  `${TOPIC_ROOT}/vessels/${assertEntityId(vesselId, 'vessel id')}`;

export const topics = {
  cmd: (vesselId: string): string => `${vesselBase(vesselId)}/cmd`,
  ack: (vesselId: string): string => `${vesselBase(vesselId)}/ack`,
  state: (vesselId: string): string => `${vesselBase(vesselId)}/state`,
  data: (vesselId: string, streamId: string): string =>
    `${vesselBase(vesselId)}/data/${assertTopicId(streamId, 'stream id')}`,
  alert: (vesselId: string): string => `${vesselBase(vesselId)}/alert`,
  link: (vesselId: string): string => `${vesselBase(vesselId)}/link`,
  crl: (): string => CRL_TOPIC,
  /** Subscription filters used by consoles (and, for alerts, the CA). */
  filters: {
    allAcks: `${TOPIC_ROOT}/vessels/+/ack`,
    allStates: `${TOPIC_ROOT}/vessels/+/state`,
    allData: `${TOPIC_ROOT}/vessels/+/data/+`,
    allAlerts: `${TOPIC_ROOT}/vessels/+/alert`,
    allLinks: `${TOPIC_ROOT}/vessels/+/link`,
  },
} as const;

export type TopicKind = 'cmd' | 'ack' | 'state' | 'data' | 'alert' | 'link' | 'crl';

const VESSEL_LEAF_KINDS: readonly TopicKind[] = ['cmd', 'ack', 'state', 'alert', 'link'];

export interface ParsedTopic {
  kind: TopicKind;
  vesselId?: string;
  streamId?: string;
}

/** Parses a Helmlink topic; returns undefined for topics outside the scheme. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  if (topic === CRL_TOPIC) return { kind: 'crl' };
  const parts = topic.split('/');
  if (parts.length < 5 || parts[0] !== 'helmlink' || parts[1] !== 'v1' || parts[2] !== 'vessels')
    return undefined;
  const vesselId = parts[3]!;
  if (!isEntityId(vesselId)) return undefined;
  if (parts.length === 5 && VESSEL_LEAF_KINDS.includes(parts[4] as TopicKind)) {
    return { kind: parts[4] as TopicKind, vesselId };
  }
  if (parts.length === 6 && parts[4] === 'data' && isTopicId(parts[5])) {
    return { kind: 'data', vesselId, streamId: parts[5] };
  }
  return undefined;
}
