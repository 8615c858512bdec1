/**
 * Stream addresses: an IPv4 multicast group and a UDP port written `group:port` (e.g. `239.192.0.1:60001`).
 * Only the canonical spelling is accepted (decimal octets without leading zeros, port without leading zeros), so
 * one stream has exactly one address string and duplicates cannot hide behind another spelling.
 */
import { HelmlinkError } from '../errors';

/** A parsed stream address. */
export interface StreamAddress {
  /** Dotted-quad IPv4 multicast group (224.0.0.0/4). */
  group: string;
  /** UDP port, 1–65535. */
  port: number;
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const ADDRESS_RE = new RegExp(`^(${OCTET})\\.(${OCTET})\\.(${OCTET})\\.(${OCTET}):([1-9]\\d{0,4})$`, 'u');

/** True when `value` is a canonical `group:port` with an IPv4 multicast group and a port in 1–65535. */
export function isStreamAddress(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ADDRESS_RE.exec(value);
  if (!m) return false;
  const first = Number(m[1]);
  const port = Number(m[5]);
  return first >= 224 && first <= 239 && port >= 1 && port <= 65535;
}

/**
 * Parses a stream address.
 * @throws HelmlinkError ERR_STREAM_ADDRESS_INVALID unless `value` is a canonical multicast `group:port`.
 */
export function parseStreamAddress(value: unknown): StreamAddress {
  if (!isStreamAddress(value)) {
    throw new HelmlinkError(
      'ERR_STREAM_ADDRESS_INVALID',
      `not an IPv4 multicast group:port: ${JSON.stringify(value)?.slice(0, 64)}`,
      {
        details: { address: typeof value === 'string' ? value.slice(0, 64) : undefined },
      },
    );
  }
  const sep = value.lastIndexOf(':');
  return { group: value.slice(0, sep), port: Number(value.slice(sep + 1)) };
}

/** Formats a group and port as `group:port`; throws TypeError when the result is not a valid stream address. */
export function formatStreamAddress(address: StreamAddress): string {
  const text = `${address.group}:${address.port}`;
  if (!isStreamAddress(text)) throw new TypeError(`invalid stream address: ${text}`);
  return text;
}
