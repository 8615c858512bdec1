/** TCP port helpers shared by the CA's managed broker, the demo topology and the tests. */
import { createServer, connect } from 'node:net';
import { HelmlinkError } from '../errors';

/** A free TCP port on `host` (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Throws ERR_PORT_IN_USE when something already listens on `host:port` (or binding it is not permitted), naming
 * `what` so the user knows which setting to change.
 */
export function assertPortFree(port: number, what: string, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${err.code ?? err.message})`;
      reject(
        new HelmlinkError(
          'ERR_PORT_IN_USE',
          `port ${port} on ${host} for the ${what} ${why}; stop whatever uses it or choose another port`,
        ),
      );
    });
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

/**
 * Resolves once something accepts TCP connections on `host:port` (Mosquitto's stdout is block-buffered into a
 * pipe, so waiting for the port is the readiness signal); rejects after `timeoutMs`, or as soon as `alive()` says the
 * process meant to listen there has exited.
 */
export async function waitForPort(
  port: number,
  timeoutMs = 10_000,
  host = '127.0.0.1',
  alive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!alive()) throw new Error(`the process meant to listen on port ${port} exited`);
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
