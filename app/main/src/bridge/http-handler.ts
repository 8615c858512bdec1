/**
 * The bridge's HTTP side: the console link that spends a one-time token and opens a session, then the built
 * renderer under that session's page path only. Every response carries the console CSP and hardening headers.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { readRendererAsset, rendererCsp, securityHeaders } from '../static/renderer-assets';
import { requestTarget } from './request-target';
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
    const target = requestTarget(req.url);
    if (!target) return refuse(res, 400, 'Bad request');
    const presented = target.query.get('token');
    if (presented !== null) {
      const opened = auth.login(presented);
      if (!opened)
        return refuse(res, 403, 'Forbidden: this console link is invalid, expired or was already used');
      headers(res);
      // The token is spent; the handoff rides in the fragment, which the browser never sends to any server.
      res.writeHead(303, { location: `${opened.pagePath}#handoff=${opened.handoff}` });
      return void res.end();
    }
    const rest = auth.pageAsset(target.pathname);
    if (rest === undefined)
      return refuse(
        res,
        403,
        'Forbidden: open the console with a link printed by `helmlink console --web` (this page may have expired or been logged out)',
      );
    const asset = await readRendererAsset(rendererDir, rest);
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
