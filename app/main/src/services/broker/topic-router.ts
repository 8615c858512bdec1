/** Routes an incoming broker message by its topic (`protocol/src/topics.ts`) to the console's handlers. */
import { parseTopic } from '@helmlink/protocol';

export interface TopicHandlers {
  /** A live data sample (counted for the rates). */
  data(vesselId: string, streamId: string): void;
  /** A vessel's retained signed state. */
  state(vesselId: string, payload: Buffer): Promise<void>;
  /** A vessel's signed ack. */
  ack(vesselId: string, payload: Buffer): Promise<void>;
  /** A vessel's signed alert. */
  alert(vesselId: string, payload: Buffer): Promise<void>;
  /** A vessel's signed link status (`retained`: kept by the broker from before this subscription). */
  link(vesselId: string, payload: Buffer, retained: boolean): Promise<void>;
  /** The retained CRL. */
  crl(payload: Buffer): Promise<void>;
}

/** Hands `payload` to the handler of its topic; topics of no concern are ignored. */
export async function routeMessage(
  topic: string,
  payload: Buffer,
  h: TopicHandlers,
  retained = false,
): Promise<void> {
  const parsed = parseTopic(topic);
  if (!parsed) return;
  switch (parsed.kind) {
    case 'data':
      h.data(parsed.vesselId!, parsed.streamId!);
      return;
    case 'state':
      await h.state(parsed.vesselId!, payload);
      return;
    case 'ack':
      await h.ack(parsed.vesselId!, payload);
      return;
    case 'alert':
      await h.alert(parsed.vesselId!, payload);
      return;
    case 'link':
      await h.link(parsed.vesselId!, payload, retained);
      return;
    case 'crl':
      await h.crl(payload);
      return;
    default:
      return;
  }
}
