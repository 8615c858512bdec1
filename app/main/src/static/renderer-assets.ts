/**
 * Serving the built renderer, shared by the two hosts of the console page: the loopback web bridge
 * (`bridge/http-handler.ts`) and Electron's `app://helmlink/` scheme (`electron/app-protocol.ts`). One path rule
 * (no traversal, no NUL, client-side routes fall back to index.html, missing assets are 404), one MIME table and one
 * Content-Security-Policy with the same hardening headers, so the two hosts cannot drift apart.
 *
 * Plain Node (no Electron): the hosts wrap the outcome in their own response type.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** What a request path resolves to: a file to send, or a refusal with its status. */
export type RendererAsset =
  | { status: 200; file: string; contentType: string; body: Buffer }
  | { status: 400 | 404; text: 'Bad request' | 'Not found' };

/**
 * The Content-Security-Policy of the console page. `connect` lists the only origins the page may open connections
 * to: none under Electron (main does all networking), the bridge's own WebSocket origins in a browser.
 */
export function rendererCsp(connect: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Mantine injects CSS variables at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    connect.length ? `connect-src 'self' ${connect.join(' ')}` : "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The headers of every response of either host: the CSP and the usual hardening. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
    'Cache-Control': 'no-store',
  };
}

/**
 * Resolves a URL path (still percent-encoded, as in `URL.pathname`) to a file under `rendererDir` and reads it.
 * Nothing outside the directory is ever read; a path without an extension that names no file is a client-side
 * route and gets index.html.
 */
export async function readRendererAsset(rendererDir: string, pathname: string): Promise<RendererAsset> {
  const root = resolve(rendererDir);
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return { status: 400, text: 'Bad request' };
  }
  if (path.includes('\0')) return { status: 400, text: 'Bad request' };
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/u, '');
  const file = resolve(root, rel);
  if (!file.startsWith(root + sep)) return { status: 404, text: 'Not found' };
  let target = file;
  if (!(await isFile(target))) {
    // Client-side routes fall back to the app page; assets with an extension do not.
    if (extname(rel)) return { status: 404, text: 'Not found' };
    target = join(root, 'index.html');
    if (!(await isFile(target))) return { status: 404, text: 'Not found' };
  }
  const body = await readFile(target);
  return {
    status: 200,
    file: target,
    contentType: MIME[extname(target)] ?? 'application/octet-stream',
    body,
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
