/**
 * Handles one message on the vessel's `cmd` topic: runs the command pipeline (`process.ts`), publishes the ack on
 * the `ack` topic (with the MQTT 5 correlation data when the response topic names that topic), logs one line per
 * command, alerts on unattributable ones and emits `command`. Resolves once the outcome is written, with `settled`:
 * the session hands the next command over at once (its outcome joins the same group commit), while this command's
 * ack, log line and PUBACK wait for `settled`, which resolves once the outcome is durable (the state file's group
 * commit: `StateStore.durable`) and rejects when it could not be, so the broker redelivers the command.
 */
import type { EventEmitter } from 'node:events';
import type { IPublishPacket } from 'mqtt';
import type { Logger } from 'pino';
import { HelmlinkError, topics } from '@helmlink/protocol';
import type { HandedOver, SessionPublishOptions } from '@helmlink/protocol/mqtt';
import { processCommand, type CommandOutcome, type ProcessorContext } from './process';
import type { CommandEvent, RaiseAlert } from './types';

export interface CommandHandlerOptions {
  ctx: ProcessorContext;
  publish: (topic: string, payload: string, opts: SessionPublishOptions) => Promise<void>;
  log: Logger;
  alert: RaiseAlert;
  events: EventEmitter;
  /** Called when the stream state changed. */
  onChanged: () => void;
}

/** Creates the handler of `cmd` messages. */
export function createCommandHandler(
  o: CommandHandlerOptions,
): (packet: IPublishPacket) => Promise<HandedOver> {
  const { ctx } = o;
  return async (packet) => {
    const started = performance.now();
    const token = Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : String(packet.payload);
    let outcome: CommandOutcome;
    try {
      outcome = await processCommand(ctx, token);
    } catch (err) {
      storeFailed(o, err);
    }
    // A redelivered duplicate's stored ack may itself still be on its way to disk: every ack waits.
    const written = performance.now();
    const settled = ctx.store.durable().then(
      () => finish(o, packet, outcome, started, written),
      (err: unknown) => storeFailed(o, err),
    );
    return { settled };
  };
}

/** Alerts that the state could not be persisted, and rethrows: the command stays unacknowledged. */
function storeFailed(o: CommandHandlerOptions, err: unknown): never {
  o.alert({
    kind: 'state-store',
    code: err instanceof HelmlinkError ? err.code : 'ERR_STATE_STORE',
    message: `command not handled: ${(err as Error).message}`,
  });
  throw err;
}

/** The outcome is durable: publish the ack, log, emit. */
function finish(
  o: CommandHandlerOptions,
  packet: IPublishPacket,
  outcome: CommandOutcome,
  started: number,
  written: number,
): void {
  const { log } = o;
  const durable = performance.now();
  if (outcome.ack) publishAck(o, packet, outcome.ack);
  const ms = (x: number) => Math.round(x * 1000) / 1000;
  const latencyMs = ms(performance.now() - started);
  // sync: waiting for the group commit's fdatasync; publish: handing the ack to the MQTT client.
  const stages = outcome.stages && {
    ...outcome.stages,
    sync: ms(durable - written),
    publish: ms(performance.now() - durable),
  };
  const line = {
    jti: outcome.jti,
    signer: outcome.signer,
    verdict: outcome.verdict,
    reason: outcome.reason,
    latencyMs,
    ...(stages ? { stages } : {}),
  };
  if (outcome.verdict === 'dropped') {
    log.warn({ ...line, detail: outcome.detail }, 'command dropped (unattributable)');
    o.alert({
      kind: 'unattributable-command',
      code: outcome.reason ?? 'ERR_INPUT_INVALID',
      message: `unattributable command dropped: ${outcome.detail}`,
    });
  } else if (outcome.verdict === 'rejected') {
    log.info({ ...line, detail: outcome.detail }, 'command rejected');
  } else {
    log.info(
      line,
      outcome.verdict === 'duplicate' ? 'command redelivered: stored ack sent again' : 'command applied',
    );
  }
  const { verified: _v, stages: _s, ...event } = outcome;
  o.events.emit('command', { ...event, latencyMs } satisfies CommandEvent);
  if (outcome.changed) o.onChanged();
}

/**
 * The ack goes to the vessel's own `ack` topic, and nowhere else. An MQTT 5 response topic is transport metadata
 * nobody signed: honoured only when it names that same ack topic (then its correlation data rides along on the one
 * publish); any other response topic (the vessel's own `state` or `data/*`, another vessel's, anything) is refused
 * with ERR_RESPONSE_TOPIC_REFUSED, logged and alerted, and nothing is published there.
 */
function publishAck(o: CommandHandlerOptions, packet: IPublishPacket, ack: string): void {
  const ackTopic = topics.ack(o.ctx.vesselId);
  const props = packet.properties;
  const requested = props?.responseTopic;
  const correlate = requested === ackTopic && props?.correlationData !== undefined;
  if (requested !== undefined && requested !== ackTopic) {
    const shown = requested.slice(0, 200);
    o.log.warn(
      { code: 'ERR_RESPONSE_TOPIC_REFUSED', responseTopic: shown },
      'response topic refused: the ack goes to the ack topic only',
    );
    o.alert({
      kind: 'response-topic-refused',
      code: 'ERR_RESPONSE_TOPIC_REFUSED',
      message: `a command asked for its ack on ${shown}; only ${ackTopic} is answered`,
    });
  }
  o.publish(ackTopic, ack, {
    qos: 1,
    ...(correlate ? { properties: { correlationData: props.correlationData } } : {}),
  }).catch((err: Error) => o.log.warn({ err: err.message }, 'ack publish failed'));
}
