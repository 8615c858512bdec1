/**
 * One listener per vessel data folder. A second `vessel run` (or an `enroll` under a running listener) on the same
 * data would fight the first over the MQTT client id (each connection kicks the other off the broker) and over
 * `state.jsonl`. The lock is a Unix socket in Linux's abstract namespace named after the folder (its real path,
 * device and inode): binding it is atomic, and the kernel releases it when the holder exits for any reason, so a
 * listener killed with `kill -9` or a power cut leaves no stale lock to clean up. Whoever is refused asks the
 * holder who it is (pid, start time) over the same socket.
 *
 * Elsewhere (no abstract namespace) the socket is a file in the data folder; a file left by a crashed holder
 * refuses connections and is replaced.
 */
import { createHash } from 'node:crypto';
import { realpathSync, statSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { HelmlinkError } from '@helmlink/protocol';

export interface ListenerLock {
  /** Releases the lock (closing the socket). */
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  startedAt: string;
  purpose: string;
}

/** The lock's socket address for a data folder. */
export function lockAddress(dataDir: string): string {
  if (process.platform !== 'linux') return join(dataDir, 'listener.lock');
  const dir = realpathSync(dataDir);
  const { dev, ino } = statSync(dir);
  const id = createHash('sha256').update(`${dir}\0${dev}\0${ino}`).digest('hex').slice(0, 32);
  return `\0helmlink-vessel-${id}`;
}

/**
 * Takes the data folder's lock for `purpose` (e.g. "vessel run").
 * @throws HelmlinkError ERR_VESSEL_LOCKED when another process holds it (its pid and purpose in the message).
 */
export async function acquireListenerLock(dataDir: string, purpose: string): Promise<ListenerLock> {
  const address = lockAddress(dataDir);
  const me: Holder = { pid: process.pid, startedAt: new Date().toISOString(), purpose };
  for (let attempt = 0; ; attempt++) {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end(JSON.stringify(me));
    });
    try {
      await listen(server, address);
      return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      const holder = await askHolder(address);
      if (holder) {
        throw new HelmlinkError(
          'ERR_VESSEL_LOCKED',
          `${dataDir} is in use by another process (pid ${holder.pid}, ${holder.purpose}, since ${holder.startedAt}): one listener per vessel`,
          { details: { pid: holder.pid } },
        );
      }
      // Only a socket file can be stale (its holder died); the abstract namespace has no stale entries.
      if (attempt > 0 || address.startsWith('\0')) throw err;
      unlinkSync(address);
    }
  }
}

function listen(server: Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Who holds the lock, or undefined when nobody answers (a stale socket file). */
function askHolder(address: string): Promise<Holder | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect(address);
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => {
      try {
        resolve(JSON.parse(text) as Holder);
      } catch {
        // Connected but no answer: somebody holds the address all the same.
        resolve(text === '' ? undefined : { pid: 0, startedAt: 'unknown', purpose: 'unknown' });
      }
    });
  });
}
