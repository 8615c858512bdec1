/**
 * One direction of an emulated link: bytes leave in order after the serialisation time of a bandwidth cap and a
 * one-way propagation delay. While the link is blackholed nothing is delivered and nothing is lost: TCP would
 * retransmit every segment until the link returns, so the emulator holds the bytes and sends them on return
 * (retimed from that instant), exactly what the endpoints would see (a stall, no FIN, no RST).
 */
import type { Socket } from 'node:net';

/** One direction's shape. */
export interface DirectionProfile {
  /** One-way propagation delay, ms. */
  delayMs: number;
  /** Bandwidth cap, bits per second (undefined: unlimited). */
  rateBps?: number;
}

type Item = { kind: 'data'; chunk: Buffer; at: number } | { kind: 'end' | 'reset'; at: number };

/** Pauses the source past this many queued bytes (a slow link must push back, not buffer without end). */
const HIGH_WATER_BYTES = 1 << 20;

export class Pipe {
  #profile: DirectionProfile;
  readonly #queue: Item[] = [];
  #queuedBytes = 0;
  /** When the last queued byte has left the sender (serialisation), ms since epoch. */
  #lastDeparture = 0;
  #timer: NodeJS.Timeout | undefined;
  #held = false;
  #closed = false;
  /** Bytes delivered to the destination. */
  bytes = 0;

  constructor(
    private readonly src: Socket,
    private readonly dst: () => Socket | undefined,
    profile: DirectionProfile,
    /** Extra time before the first byte may leave (the TCP handshake's round trip). */
    startDelayMs = 0,
    /** Called with every chunk delivered (its size). */
    private readonly onDeliver?: (bytes: number) => void,
  ) {
    this.#profile = profile;
    this.#lastDeparture = Date.now() + startDelayMs;
  }

  set profile(p: DirectionProfile) {
    this.#profile = p;
  }

  /** Queues a chunk read from the source. */
  push(chunk: Buffer): void {
    this.#enqueue({ kind: 'data', chunk, at: 0 });
    this.#queuedBytes += chunk.length;
    if (this.#queuedBytes > HIGH_WATER_BYTES) this.src.pause();
  }

  /** Queues the source's FIN (`end`) or RST (`reset`) behind the data already queued. */
  close(kind: 'end' | 'reset'): void {
    this.#enqueue({ kind, at: 0 });
  }

  /** Holds every byte (blackhole) until `release`. */
  hold(): void {
    this.#held = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Ends a blackhole: what was held leaves from now on, as retransmissions would. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#lastDeparture = Math.max(Date.now(), this.#lastDeparture);
    for (const item of this.#queue) item.at = this.#schedule(item);
    this.#pump();
  }

  /** Drops everything (the connection was reset). */
  discard(): void {
    this.#closed = true;
    this.#queue.length = 0;
    if (this.#timer) clearTimeout(this.#timer);
  }

  #enqueue(item: Item): void {
    if (this.#closed) return;
    if (!this.#held) item.at = this.#schedule(item);
    this.#queue.push(item);
    if (!this.#held && !this.#timer) this.#pump();
  }

  /** Delivery time: after the previous bytes and this chunk's serialisation, plus the propagation delay. */
  #schedule(item: Item): number {
    const now = Date.now();
    const size = item.kind === 'data' ? item.chunk.length : 0;
    const rate = this.#profile.rateBps;
    const serialisation = rate ? (size * 8 * 1000) / rate : 0;
    this.#lastDeparture = Math.max(now, this.#lastDeparture) + serialisation;
    return this.#lastDeparture + this.#profile.delayMs;
  }

  #pump(): void {
    this.#timer = undefined;
    if (this.#held || this.#closed) return;
    const now = Date.now();
    while (this.#queue.length > 0 && this.#queue[0]!.at <= now) this.#deliver(this.#queue.shift()!);
    const next = this.#queue[0];
    if (next) this.#timer = setTimeout(() => this.#pump(), Math.max(0, next.at - now));
  }

  #deliver(item: Item): void {
    const dst = this.dst();
    if (item.kind === 'data') {
      this.#queuedBytes -= item.chunk.length;
      if (this.#queuedBytes <= HIGH_WATER_BYTES) this.src.resume();
      if (dst && !dst.destroyed) {
        dst.write(item.chunk);
        this.bytes += item.chunk.length;
        this.onDeliver?.(item.chunk.length);
      }
    } else if (item.kind === 'end') {
      dst?.end();
    } else {
      dst?.resetAndDestroy();
    }
  }
}
