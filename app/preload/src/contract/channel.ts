/** How a feature declares its request channels (gathered into the one map in `channels.ts`). */
import type { z } from 'zod';

/** One request channel: its name, payload schema and (phantom) response type. */
export interface ChannelSpec<S extends z.ZodType, R> {
  readonly name: string;
  readonly request: S;
  /** Type-level only; always undefined at run time. */
  readonly response?: R;
}

/** `channel<Response>()(name, requestSchema)`: a channel spec typed with its response. */
export function channel<R>(): <S extends z.ZodType>(name: string, request: S) => ChannelSpec<S, R> {
  return (name, request) => ({ name, request });
}
