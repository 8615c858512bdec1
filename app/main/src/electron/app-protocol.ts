/**
 * Serves the renderer from the package over the privileged custom scheme `app://helmlink/` (never from remote
 * content, never from file://), with the CSP and hardening headers on every response.
 */
import { net, protocol } from 'electron';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_HOST, APP_SCHEME } from './security';

/** Must run before `app.whenReady()`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true } },
  ]);
}

/** Installs the handler that maps `app://helmlink/<path>` to files under `rendererDir`. */
export function handleAppScheme(rendererDir: string, csp: string): void {
  const root = resolve(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET') return new Response('Not found', { status: 404 });
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return new Response('Bad request', { status: 400 });
    }
    const rel = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/u, '');
    const file = resolve(root, rel);
    if (!file.startsWith(root + sep)) return new Response('Not found', { status: 404 });
    const target = extname(rel) ? file : join(root, 'index.html');
    if (!existsSync(target)) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(target).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Referrer-Policy', 'no-referrer');
    return new Response(res.body, { status: res.status, headers });
  });
}
