/**
 * Serves the renderer from the package over the privileged custom scheme `app://helmlink/` (never from remote
 * content, never from file://), with the CSP and hardening headers on every response. The path rule, MIME types
 * and headers are the web bridge's (`static/renderer-assets.ts`).
 */
import { protocol } from 'electron';
import { readRendererAsset, securityHeaders } from '../static/renderer-assets';
import { APP_HOST, APP_SCHEME } from './security';

/** Must run before `app.whenReady()`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true } },
  ]);
}

/** Installs the handler that maps `app://helmlink/<path>` to files under `rendererDir`. */
export function handleAppScheme(rendererDir: string, csp: string): void {
  const headers = securityHeaders(csp);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET')
      return new Response('Not found', { status: 404, headers });
    const asset = await readRendererAsset(rendererDir, url.pathname);
    if (asset.status !== 200) return new Response(asset.text, { status: asset.status, headers });
    return new Response(new Uint8Array(asset.body), {
      status: 200,
      headers: { ...headers, 'Content-Type': asset.contentType },
    });
  });
}
