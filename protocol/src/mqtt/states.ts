/**
 * The states of an MQTT session and the transitions between them:
 *
 *   idle ──start──▶ connecting ──CONNACK──▶ subscribing ──SUBACK granted──▶ ready
 *                    ▲   │  ▲                   │  ▲ refused: retried after a backoff delay
 *                    │   │  └─ version refused  └──┘
 *                    │   ▼     (3.1.1 at once)
 *                 backoff ◀── connection lost / refused (from connecting, subscribing or ready)
 *   any but closed ──close──▶ closing ──▶ closed
 *
 * A credentials swap goes from subscribing, ready or backoff straight to connecting with a new client.
 */

export type SessionState = 'idle' | 'connecting' | 'subscribing' | 'ready' | 'backoff' | 'closing' | 'closed';

/** Why the session entered `connecting`. */
export type ConnectReason = 'start' | 'retry' | 'fallback' | 'credentials';

const TRANSITIONS: Record<SessionState, readonly SessionState[]> = {
  idle: ['connecting', 'closing'],
  connecting: ['subscribing', 'backoff', 'connecting', 'closing'],
  subscribing: ['ready', 'subscribing', 'backoff', 'connecting', 'closing'],
  ready: ['backoff', 'connecting', 'closing'],
  backoff: ['connecting', 'closing'],
  closing: ['closed'],
  closed: [],
};

/** True when the state machine allows `from` → `to`. */
export function canTransition(from: SessionState, to: SessionState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** One state change, as emitted on the session's `state` event. */
export interface StateChange {
  from: SessionState;
  to: SessionState;
  /** For `connecting`: why. For `backoff` and a `subscribing` retry: what went wrong. */
  reason?: ConnectReason | string;
  /** For `backoff` and a `subscribing` retry: the 1-based attempt this delay precedes, and the delay. */
  attempt?: number;
  delayMs?: number;
  /** The error that caused a `backoff`, when there was one. */
  error?: Error;
}
