/** The web bridge transport: the same contract as JSON frames over a same-origin WebSocket. */
import { z } from 'zod';
import type { EventName } from './events';
import type { ApiResult } from './result';

/**
 * Web bridge WebSocket path, same origin as the page. The server authenticates the socket with the session
 * cookie set when the page was opened with the one-time token, and checks Origin and Host.
 */
export const WS_PATH = '/api/ws';

/** Client → server frame. `id` correlates the result. */
export const wireClientMessageSchema = z
  .object({
    type: z.literal('invoke'),
    id: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    channel: z.string().max(64),
    payload: z.unknown(),
  })
  .strict();
export type WireClientMessage = z.infer<typeof wireClientMessageSchema>;

/** Server → client frames: the result of an invoke, or a push event. */
export type WireServerMessage =
  | { type: 'result'; id: number; result: ApiResult<unknown> }
  | { type: 'event'; event: EventName; payload: unknown }
  | { type: 'hello'; contractVersion: number };

/** Largest frame either side accepts (a PKCS#12 import is the biggest request). */
export const WIRE_MAX_BYTES = 2 * 1024 * 1024;
