/**
 * A link emulator for tests and benchmarks: a user-space TCP relay in front of a server (the broker) that gives
 * each direction its own delay and bandwidth, and can blackhole the link (every byte held, no FIN, no RST: only
 * the endpoints' own timers, e.g. MQTT keepalive, notice), reset every connection (RST both ways, like
 * `ss -K`), or run a periodic outage. Bytes are counted per direction on the sockets (TLS records and all).
 *
 * Why user space: this kernel has no `netem` (delay, loss); `tbf` in a network namespace shapes bandwidth only,
 * and no maintained npm package relays with per-direction delay, outages and resets (toxiproxy's server is a Go
 * binary that cannot be installed here). The relay also counts the bytes the bench needs.
 */
import { EventEmitter } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Pipe } from './pipe';
import { DIRECT, roundTripMs, type LinkProfile } from './profiles';

export interface LinkEmulatorOptions {
  /** The server behind the link. */
  target: { host: string; port: number };
  profile?: LinkProfile;
  /** Address to listen on (default 127.0.0.1), port 0 = any free one. */
  listen?: { host?: string; port?: number };
}

/** Bytes on the wire, per direction. */
export interface LinkBytes {
  toShip: number;
  fromShip: number;
}

export interface LinkEmulatorEvents {
  /** The link went down (blackhole) or came back. */
  down: [at: number];
  up: [at: number];
  /** A connection was relayed (the ship opened it). */
  connection: [];
  /** Bytes delivered in one direction (one chunk as read from the other side). */
  delivered: [direction: keyof LinkBytes, bytes: number];
}

interface Relay {
  ship: Socket;
  shipClosed: boolean;
  /** The connection to the server: opened at once, or when the link returns (a SYN sent into a blackhole). */
  shore: Socket | undefined;
  shoreClosed: boolean;
  fromShip: Pipe;
  toShip: Pipe | undefined;
}

export class LinkEmulator extends EventEmitter<LinkEmulatorEvents> {
  readonly #o: LinkEmulatorOptions;
  readonly #server: Server;
  readonly #relays = new Set<Relay>();
  #profile: LinkProfile;
  #down = false;
  #schedule: NodeJS.Timeout | undefined;
  /** Bytes of connections already closed. */
  readonly #closedBytes: LinkBytes = { toShip: 0, fromShip: 0 };
  /** Connections relayed since the start. */
  connections = 0;

  private constructor(o: LinkEmulatorOptions, server: Server) {
    super();
    this.#o = o;
    this.#server = server;
    this.#profile = o.profile ?? DIRECT;
  }

  /** Starts listening; the ship connects to `port` instead of the server. */
  static async start(o: LinkEmulatorOptions): Promise<LinkEmulator> {
    const server = createServer({ noDelay: true });
    const link = new LinkEmulator(o, server);
    server.on('connection', (ship) => link.#relay(ship));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.listen?.port ?? 0, o.listen?.host ?? '127.0.0.1', () => resolve());
    });
    if (link.#profile.outage) link.startOutages(link.#profile.outage);
    return link;
  }

  get port(): number {
    const address = this.#server.address();
    if (!address || typeof address === 'string') throw new TypeError('the link emulator is not listening');
    return address.port;
  }

  get host(): string {
    return this.#o.listen?.host ?? '127.0.0.1';
  }

  get profile(): LinkProfile {
    return this.#profile;
  }

  /** True while blackholed. */
  get down(): boolean {
    return this.#down;
  }

  /** Changes the profile for the bytes queued from now on. */
  setProfile(profile: LinkProfile): void {
    this.#profile = profile;
    for (const r of this.#relays) {
      if (r.toShip) r.toShip.profile = profile.toShip;
      r.fromShip.profile = profile.fromShip;
    }
  }

  /** Bytes relayed so far, per direction (open and closed connections). */
  bytes(): LinkBytes {
    const total = { ...this.#closedBytes };
    for (const r of this.#relays) {
      total.toShip += r.toShip?.bytes ?? 0;
      total.fromShip += r.fromShip.bytes;
    }
    return total;
  }

  /** Blackholes the link: nothing passes, nothing is refused or reset; new connections hang. */
  blackhole(): void {
    if (this.#down) return;
    this.#down = true;
    for (const r of this.#relays) {
      r.toShip?.hold();
      r.fromShip.hold();
    }
    this.emit('down', Date.now());
  }

  /** Ends a blackhole: held bytes are delivered, waiting connections proceed. */
  restore(): void {
    if (!this.#down) return;
    this.#down = false;
    for (const r of [...this.#relays]) {
      if (!r.shore) {
        // The ship gave up on a connection whose SYN never got through: nothing reaches the server.
        if (r.shipClosed) this.#forget(r);
        else this.#connectShore(r);
        continue;
      }
      r.toShip?.release();
      if (r.shore.readyState === 'open') r.fromShip.release();
    }
    this.emit('up', Date.now());
  }

  /** A blackhole of `ms`, resolved when the link is back. */
  async outage(ms: number): Promise<void> {
    this.blackhole();
    await new Promise((r) => setTimeout(r, ms));
    this.restore();
  }

  /** Resets every open connection (RST to both ends), like `ss -K` on the path. */
  reset(): void {
    for (const r of [...this.#relays]) {
      r.toShip?.discard();
      r.fromShip.discard();
      if (!r.ship.destroyed) r.ship.resetAndDestroy();
      if (r.shore && !r.shore.destroyed) r.shore.resetAndDestroy();
      this.#forget(r);
    }
  }

  /** Runs a periodic outage (the LEO profile's hand-overs) until `stopOutages` or `close`. */
  startOutages(o: { everyMs: number; forMs: number }): void {
    this.stopOutages();
    const cycle = () => {
      this.#schedule = setTimeout(() => {
        this.blackhole();
        this.#schedule = setTimeout(() => {
          this.restore();
          cycle();
        }, o.forMs);
      }, o.everyMs - o.forMs);
    };
    cycle();
  }

  stopOutages(): void {
    if (this.#schedule) clearTimeout(this.#schedule);
    this.#schedule = undefined;
  }

  /** Stops listening and resets what is still open. */
  async close(): Promise<void> {
    this.stopOutages();
    this.reset();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ---------------------------------------------------------------------------------------------------------

  #relay(ship: Socket): void {
    this.connections++;
    const relay: Relay = {
      ship,
      shipClosed: false,
      shore: undefined,
      shoreClosed: false,
      // The ship's first bytes leave after the TCP handshake's round trip (the relay accepted it locally at once).
      fromShip: new Pipe(
        ship,
        () => relay.shore,
        this.#profile.fromShip,
        roundTripMs(this.#profile),
        (n) => this.emit('delivered', 'fromShip', n),
      ),
      toShip: undefined,
    };
    // Held until the server accepted the connection.
    relay.fromShip.hold();
    this.#relays.add(relay);
    ship.setNoDelay(true);
    ship.on('data', (chunk: Buffer) => relay.fromShip.push(chunk));
    ship.on('end', () => relay.fromShip.close('end'));
    ship.on('error', () => relay.fromShip.close('reset'));
    ship.on('close', () => {
      relay.shipClosed = true;
      if (relay.shoreClosed || (!relay.shore && !this.#down)) this.#forget(relay);
    });
    if (!this.#down) this.#connectShore(relay);
    this.emit('connection');
  }

  #connectShore(relay: Relay): void {
    const shore = connect({ host: this.#o.target.host, port: this.#o.target.port, noDelay: true });
    const toShip = new Pipe(
      shore,
      () => relay.ship,
      this.#profile.toShip,
      0,
      (n) => this.emit('delivered', 'toShip', n),
    );
    relay.shore = shore;
    relay.toShip = toShip;
    shore.on('connect', () => {
      if (!this.#down) relay.fromShip.release();
    });
    shore.on('data', (chunk: Buffer) => toShip.push(chunk));
    shore.on('end', () => toShip.close('end'));
    // Refused or reset by the server: the ship sees a reset after the way back.
    shore.on('error', () => toShip.close('reset'));
    shore.on('close', () => {
      relay.shoreClosed = true;
      if (relay.shipClosed) this.#forget(relay);
    });
  }

  #forget(relay: Relay): void {
    if (!this.#relays.delete(relay)) return;
    this.#closedBytes.toShip += relay.toShip?.bytes ?? 0;
    this.#closedBytes.fromShip += relay.fromShip.bytes;
  }
}
