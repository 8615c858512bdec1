/**
 * Hand-off to Redis for other ship software: a hash `{prefix}{vesselId}:state` with the current state and a stream
 * `{prefix}{vesselId}:commands` with one entry per applied command. Written after the state is persisted; a Redis
 * outage is logged and never blocks or undoes a command (the state file is the source of truth, and the hash is
 * rewritten whole on the next change and on start).
 */
import { Redis } from 'ioredis';

export interface RedisHandoffOptions {
  url: string;
  vesselId: string;
  keyPrefix: string;
  streamMaxLen: number;
}

export interface AppliedEntry {
  jti: string;
  signer: string;
  on: string[];
  off: string[];
  seq: number;
  /** Epoch milliseconds. */
  appliedAt: number;
}

/** A Redis connection that mirrors the vessel state. */
export class RedisHandoff {
  readonly stateKey: string;
  readonly streamKey: string;
  private readonly redis: Redis;
  private readonly maxLen: number;

  constructor(options: RedisHandoffOptions) {
    this.stateKey = `${options.keyPrefix}${options.vesselId}:state`;
    this.streamKey = `${options.keyPrefix}${options.vesselId}:commands`;
    this.maxLen = options.streamMaxLen;
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
    });
    this.redis.on('error', () => undefined);
  }

  /** Connects (errors are reported by the writes). */
  async connect(): Promise<void> {
    await this.redis.connect();
  }

  /** Writes the current state hash. */
  async writeState(state: {
    on: string[];
    off: string[];
    seq: number;
    lastJti: string | null;
    updatedAt: number;
  }): Promise<void> {
    await this.redis
      .multi()
      .del(this.stateKey)
      .hset(this.stateKey, {
        on: JSON.stringify(state.on),
        off: JSON.stringify(state.off),
        seq: String(state.seq),
        last_jti: state.lastJti ?? '',
        updated_at: new Date(state.updatedAt).toISOString(),
      })
      .exec();
  }

  /** Appends an applied command to the stream and updates the state hash, in one transaction. */
  async applied(entry: AppliedEntry): Promise<void> {
    await this.redis
      .multi()
      .xadd(
        this.streamKey,
        'MAXLEN',
        '~',
        String(this.maxLen),
        '*',
        'jti',
        entry.jti,
        'signer',
        entry.signer,
        'on',
        JSON.stringify(entry.on),
        'off',
        JSON.stringify(entry.off),
        'seq',
        String(entry.seq),
        'applied_at',
        new Date(entry.appliedAt).toISOString(),
      )
      .del(this.stateKey)
      .hset(this.stateKey, {
        on: JSON.stringify(entry.on),
        off: JSON.stringify(entry.off),
        seq: String(entry.seq),
        last_jti: entry.jti,
        updated_at: new Date(entry.appliedAt).toISOString(),
      })
      .exec();
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
