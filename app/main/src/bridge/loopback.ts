/** Loopback-only binding of the web bridge: which addresses it may listen on, and the Host values it answers. */
import { isIP } from 'node:net';
import { HelmlinkError } from '@helmlink/protocol';

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const v = isIP(host);
  if (v === 4) return host.startsWith('127.');
  if (v === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** ERR_BRIDGE_NON_LOOPBACK unless `host` is a loopback address. */
export function assertLoopbackHost(host: string): void {
  if (!isLoopbackHost(host)) {
    throw new HelmlinkError(
      'ERR_BRIDGE_NON_LOOPBACK',
      `refusing to listen on ${host}: the web bridge only listens on 127.0.0.1 or ::1`,
    );
  }
}

/** The bridge's own origin and every Host header (`host:port`) it answers once listening on `host`:`port`. */
export function loopbackEndpoints(host: string, port: number): { origin: string; hosts: string[] } {
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const hosts = [
    ...new Set([
      `${hostInUrl}:${port}`,
      ...(host === '127.0.0.1' || host === 'localhost' ? [`localhost:${port}`, `127.0.0.1:${port}`] : []),
    ]),
  ];
  return { origin: `http://${hostInUrl}:${port}`, hosts };
}
