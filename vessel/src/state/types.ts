/** The vessel's persisted state: stream on/off, the replay cache and recent acks, kept in one file. */
import type { ReplaySnapshotJson } from '@helmlink/protocol';

/** Stream on/off as address lists in catalog order (the shape of `streams.set`). */
export interface Streams {
  on: string[];
  off: string[];
}

/** An ack already sent, kept so that a redelivered command gets exactly the same ack again. */
export interface StoredAck {
  /** base64url SHA-256 of the exact command token the ack answers. */
  cmdSha256: string;
  iss: string;
  jti: string;
  /** The signed ack token. */
  ack: string;
  /** Epoch seconds after which the entry may be forgotten (the command's exp + clock tolerance). */
  expiresAt: number;
}

/** The state snapshot (first line of the state file). */
export interface StateSnapshot {
  type: 'snapshot';
  v: 1;
  /** Monotonic state sequence number: +1 per applied command. */
  seq: number;
  /** Records written since the file was created; a record with a lower or equal number is already included. */
  records: number;
  streams: Streams;
  lastJti: string | null;
  replay: ReplaySnapshotJson;
  acks: StoredAck[];
}

/** One handled command (a journal line). `applied` is present when the command changed the state. */
export interface StateRecord {
  type: 'record';
  n: number;
  handled: StoredAck;
  applied?: { streams: Streams; seq: number };
}
