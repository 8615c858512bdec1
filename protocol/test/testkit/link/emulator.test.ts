/**
 * The link emulator against a real TCP echo server: delay and bandwidth per direction (lower bounds only: the
 * machine may be slower, never faster), a blackhole that holds bytes without FIN or RST and delivers them when the
 * link returns, a reset that the client sees as ECONNRESET, and bytes counted on the sockets.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkEmulator, type LinkProfile } from '../../../src/testkit';

let echo: Server;
let echoPort = 0;
beforeAll(async () => {
  echo = createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((r) => echo.close(() => r()));
});

const SLOW: LinkProfile = {
  name: 'test',
  toShip: { delayMs: 100, rateBps: 512_000 },
  fromShip: { delayMs: 150, rateBps: 256_000 },
};

function open(link: LinkEmulator): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: link.port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends `bytes` and resolves once they all came back, with the elapsed time. */
function roundTrip(s: Socket, bytes: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => {
    let got = 0;
    const onData = (d: Buffer) => {
      got += d.length;
      if (got >= bytes) {
        s.off('data', onData);
        resolve(Date.now() - started);
      }
    };
    s.on('data', onData);
    s.write(Buffer.alloc(bytes, 1));
  });
}

describe('LinkEmulator', () => {
  it('delays each direction, caps its bandwidth and counts the bytes on the wire', async () => {
    const link = await LinkEmulator.start({ target: { host: '127.0.0.1', port: echoPort }, profile: SLOW });
    try {
      const s = await open(link);
      // First bytes: the handshake's round trip (250 ms), then 150 + 100 ms of propagation.
      expect(await roundTrip(s, 10)).toBeGreaterThanOrEqual(490);
      // 16 KB: 512 ms at 256 kbit/s up + 256 ms at 512 kbit/s down overlap; at least the slower one plus the RTT.
      expect(await roundTrip(s, 16_000)).toBeGreaterThanOrEqual(500 + 250 - 10);
      expect(link.bytes()).toEqual({ toShip: 16_010, fromShip: 16_010 });
      s.destroy();
    } finally {
      await link.close();
    }
  });

  it('blackholes: bytes are held (no FIN, no RST) and delivered when the link returns', async () => {
    const link = await LinkEmulator.start({ target: { host: '127.0.0.1', port: echoPort } });
    try {
      const s = await open(link);
      expect(await roundTrip(s, 5)).toBeGreaterThanOrEqual(0);
      const events: string[] = [];
      s.on('end', () => events.push('end'));
      s.on('error', (e) => events.push(`error ${(e as NodeJS.ErrnoException).code}`));
      link.blackhole();
      const echoed = roundTrip(s, 100);
      let back = false;
      void echoed.then(() => (back = true));
      await new Promise((r) => setTimeout(r, 400));
      expect(back).toBe(false);
      expect(link.bytes().fromShip).toBe(5);
      // A connection opened during the blackhole hangs too (its SYN would be retransmitted).
      const late = connect({ host: '127.0.0.1', port: link.port });
      const lateEcho = new Promise<string>((r) => late.once('data', (d: Buffer) => r(d.toString())));
      late.write('late');
      link.restore();
      expect(await echoed).toBeGreaterThanOrEqual(400);
      expect(await lateEcho).toBe('late');
      expect(events).toEqual([]);
      s.destroy();
      late.destroy();
    } finally {
      await link.close();
    }
  });

  it('resets every connection: the client sees ECONNRESET', async () => {
    const link = await LinkEmulator.start({ target: { host: '127.0.0.1', port: echoPort } });
    try {
      const s = await open(link);
      await roundTrip(s, 5);
      const error = new Promise<string | undefined>((r) =>
        s.once('error', (e) => r((e as NodeJS.ErrnoException).code)),
      );
      link.reset();
      expect(await error).toBe('ECONNRESET');
      // The link itself still works: a new connection goes through.
      const again = await open(link);
      expect(await roundTrip(again, 3)).toBeGreaterThanOrEqual(0);
      again.destroy();
      expect(link.connections).toBe(2);
    } finally {
      await link.close();
    }
  });

  it('runs periodic outages (down, then up again)', async () => {
    const link = await LinkEmulator.start({ target: { host: '127.0.0.1', port: echoPort } });
    try {
      const seen: string[] = [];
      link.on('down', () => seen.push('down'));
      link.on('up', () => seen.push('up'));
      link.startOutages({ everyMs: 300, forMs: 100 });
      await new Promise((r) => setTimeout(r, 700));
      link.stopOutages();
      expect(seen.slice(0, 4)).toEqual(['down', 'up', 'down', 'up']);
    } finally {
      await link.close();
    }
  });
});
