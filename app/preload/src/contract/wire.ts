/** The web bridge transport: the same contract as JSON frames over a same-origin WebSocket. */
import { z } from 'zod';
import type { EventName } from './events';
import type { ApiResult } from './result';

/**
 * Web bridge WebSocket path, same origin as the page. The server checks Host and Origin at the upgrade; the socket
 * is then authenticated by its first frame ({@link WireAuthMessage}) with a secret only the page holds, never by a
 * cookie (cookies are scoped to the host, not the port: every other listener on 127.0.0.1 would receive them).
 */
export const WS_PATH = '/api/ws';

/**
 * WebSocket close code the server uses when the socket is not (or no longer) authenticated: a missing or wrong
 * first frame, an expired session, a logout. The page must not reconnect with the same credentials; it needs a new
 * console link.
 */
export const WIRE_CLOSE_SESSION_ENDED = 4401;

const secretSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/u);

/**
 * The socket's first frame: the one-time `handoff` the page got in its URL fragment when the console link was
 * opened (first connection), or the `session` secret the server answered with (every later connection).
 */
export const wireAuthMessageSchema = z.union([
  z.object({ type: z.literal('auth'), handoff: secretSchema }).strict(),
  z.object({ type: z.literal('auth'), session: secretSchema }).strict(),
]);
export type WireAuthMessage = z.infer<typeof wireAuthMessageSchema>;

/** Client → server frame after authentication. `id` correlates the result. */
export const wireClientMessageSchema = z
  .object({
    type: z.literal('invoke'),
    id: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    channel: z.string().max(64),
    payload: z.unknown(),
  })
  .strict();
export type WireClientMessage = z.infer<typeof wireClientMessageSchema>;

/**
 * Server → client frames: the session the first frame opened (`session` is the secret to present on later
 * connections, sent only when it was opened with the handoff), the result of an invoke, a push event.
 */
export type WireServerMessage =
  | { type: 'session'; session?: string; expiresAt: string }
  | { type: 'result'; id: number; result: ApiResult<unknown> }
  | { type: 'event'; event: EventName; payload: unknown }
  | { type: 'hello'; contractVersion: number };

/** Largest frame either side accepts (a PKCS#12 import is the biggest request). */
export const WIRE_MAX_BYTES = 2 * 1024 * 1024;
