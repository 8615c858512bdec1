/** The request target of a bridge request, read without ever throwing on what a client sends. */

/** Path (still percent-encoded) and query of an origin-form request target. */
export interface RequestTarget {
  pathname: string;
  query: URLSearchParams;
}

/**
 * Splits an origin-form request target (`/path?query`) into its path and query; undefined for anything else: a
 * missing target, the absolute or authority form, or a path starting with `//` (which `new URL(target, base)` reads
 * as a host and throws on, and which no page of ours ever requests).
 */
export function requestTarget(raw: string | undefined): RequestTarget | undefined {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//')) return undefined;
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  const hash = pathname.indexOf('#');
  return {
    pathname: hash < 0 ? pathname : pathname.slice(0, hash),
    query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)),
  };
}
