/**
 * The IPC router: the single entry for every renderer request, whatever the transport (Electron IPC or the web
 * bridge's WebSocket). Order of checks, before any service code runs:
 *   1. the sender is trusted (Electron: our window's main frame on our app origin; bridge: an authenticated session),
 *   2. the channel exists in the contract,
 *   3. the payload matches the channel's zod schema.
 * Results are {@link ApiResult} values; errors carry stable codes and never stacks or secrets.
 */
import {
  channels,
  isChannelName,
  type ApiResult,
  type ChannelName,
  type ParsedRequestOf,
  type ResponseOf,
} from '@helmlink/app-preload';
import { HelmlinkError, describeError } from '@helmlink/protocol';
import { toApiError } from '../services/core/errors';
import type { Logger } from '../services/core/logger';

/** Who is asking, as established by the transport. */
export interface SenderContext {
  transport: 'electron' | 'web';
  /** Whether the transport authenticated the sender; untrusted requests are refused first. */
  trusted: boolean;
  /** For logs: why the sender is (not) trusted. Never contains secrets. */
  description: string;
  /** Ends the sender's session (the web bridge; Electron has none): what `app.logout` calls. */
  endSession?: () => void;
}

/** One handler per channel, receiving the parsed request. */
export type Handlers = {
  [C in ChannelName]: (
    request: ParsedRequestOf<C>,
    ctx: SenderContext,
  ) => Promise<ResponseOf<C>> | ResponseOf<C>;
};

const forbidden = (): ApiResult<never> => ({
  ok: false,
  error: { code: 'ERR_IPC_SENDER_FORBIDDEN', message: describeError('ERR_IPC_SENDER_FORBIDDEN') },
});

/** Routes requests to handlers after the sender and payload checks. */
export class IpcRouter {
  readonly #handlers: Handlers;
  readonly #logger: Logger;

  constructor(handlers: Handlers, logger: Logger) {
    this.#handlers = handlers;
    this.#logger = logger;
  }

  /** Handles one request. Never throws. */
  async invoke(channel: unknown, payload: unknown, ctx: SenderContext): Promise<ApiResult<unknown>> {
    if (!ctx.trusted) {
      this.#logger.warn(
        {
          transport: ctx.transport,
          sender: ctx.description,
          channel: typeof channel === 'string' ? channel.slice(0, 64) : null,
        },
        'request from an untrusted sender refused',
      );
      return forbidden();
    }
    if (!isChannelName(channel)) {
      return {
        ok: false,
        error: { code: 'ERR_IPC_CHANNEL_UNKNOWN', message: describeError('ERR_IPC_CHANNEL_UNKNOWN') },
      };
    }
    const parsed = channels[channel].request.safeParse(payload ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'ERR_IPC_PAYLOAD_INVALID',
          message: describeError('ERR_IPC_PAYLOAD_INVALID'),
          issues: parsed.error.issues
            .slice(0, 20)
            .map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      };
    }
    try {
      const handler = this.#handlers[channel] as (request: unknown, ctx: SenderContext) => unknown;
      const value = await handler(parsed.data, ctx);
      return { ok: true, value: value ?? null };
    } catch (err) {
      const error = toApiError(err);
      if (err instanceof HelmlinkError) this.#logger.info({ channel, code: error.code }, 'request refused');
      else
        this.#logger.error(
          { channel, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) },
          'request failed',
        );
      return { ok: false, error };
    }
  }
}
