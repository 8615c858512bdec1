/**
 * The bridge's HTTP side: the login redirect that spends a one-time token, then the built renderer for
 * authenticated sessions only. Every response carries the console CSP and hardening headers.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { readRendererAsset, rendererCsp, securityHeaders } from '../static/renderer-assets';
import type { SessionAuth } from './session-auth';

/** The request listener serving `rendererDir` to sessions of `auth`. */
export function createHttpHandler(auth: SessionAuth, rendererDir: string): RequestListener {
  const headers = (res: ServerResponse) => {
    const csp = rendererCsp(auth.origins().map((o) => o.replace(/^http/u, 'ws')));
    for (const [name, value] of Object.entries(securityHeaders(csp))) res.setHeader(name, value);
  };
  const refuse = (res: ServerResponse, status: number, text: string) => {
    headers(res);
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!auth.hostAllowed(req)) return refuse(res, 421, 'Misdirected request: unexpected Host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const presented = url.searchParams.get('token');
    if (presented !== null) {
      const session = auth.login(presented);
      if (!session) return refuse(res, 403, 'Forbidden: this console link is invalid or was already used');
      headers(res);
      res.setHeader('Set-Cookie', session.setCookie);
      // The redirect drops the spent token from the address bar.
      res.writeHead(303, { location: url.pathname });
      return void res.end();
    }
    if (!auth.sessionOf(req))
      return refuse(
        res,
        403,
        'Forbidden: open the console with the link printed by `helmlink console --web`',
      );
    const asset = await readRendererAsset(rendererDir, url.pathname);
    if (asset.status !== 200) return refuse(res, asset.status, asset.text);
    headers(res);
    res.writeHead(200, { 'content-type': asset.contentType, 'content-length': asset.body.length });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };

  return (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'Internal error');
      else res.destroy();
    });
  };
}
