/**
 * The loopback web bridge: serves the built renderer on 127.0.0.1 (or ::1) and speaks the IPC contract over a
 * same-origin WebSocket to the same router and services Electron uses. This is how the console runs in a plain
 * browser (and in the Playwright scenarios) where the Electron binary is unavailable.
 *
 * Access control:
 * - Loopback binds only (ERR_BRIDGE_NON_LOOPBACK otherwise).
 * - A random one-time token in the printed URL. The first page load presenting it gets a session cookie
 *   (HttpOnly, SameSite=Strict) and a redirect that drops the token from the address bar; the token is then spent.
 *   Every later HTTP request and the WebSocket upgrade need the session cookie.
 * - Host must be the loopback address and port we listen on (defeats DNS rebinding); the WebSocket Origin must be
 *   our own origin (defeats cross-site WebSocket hijacking).
 * - A strict CSP and the usual hardening headers on every response.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CONTRACT_VERSION,
  WIRE_MAX_BYTES,
  WS_PATH,
  wireClientMessageSchema,
  type WireServerMessage,
} from '@helmlink/app-preload';
import { HelmlinkError } from '@helmlink/protocol';
import { createConsoleServices, type ConsoleServices, type ConsoleServicesOptions } from '../services';
import { createHandlers } from '../ipc/handlers';
import { IpcRouter } from '../ipc/router';

export const SESSION_COOKIE = 'helmlink_session';
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** Where `vite build app/renderer` writes the renderer. */
export const DEFAULT_RENDERER_DIR = join(REPO_ROOT, 'app', 'renderer', 'dist');

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

export interface ConsoleServerOptions {
  /** Data directory of the console services (ignored when `services` is given). */
  dataDir?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Loopback address to bind (default 127.0.0.1). */
  host?: string;
  /** Built renderer directory (default app/renderer/dist, built with Vite when missing). */
  rendererDir?: string;
  /** Build the renderer when its directory has no index.html (default true). */
  buildRenderer?: boolean;
  /** Use these services (the caller closes them) instead of creating new ones. */
  services?: ConsoleServices;
  /** Options for the services created here. */
  servicesOptions?: Omit<ConsoleServicesOptions, 'dataDir'>;
}

export interface ConsoleServer {
  /** The URL to open, with the one-time token. */
  url: string;
  /** The one-time token of {@link url}. */
  token: string;
  /** The origin, without token. */
  origin: string;
  port: number;
  services: ConsoleServices;
  /** Mints another one-time token and returns its URL (e.g. a second browser context in tests). */
  newTokenUrl(): string;
  /** Closes sockets, the HTTP server and (when created here) the services. */
  close(): Promise<void>;
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const v = isIP(host);
  if (v === 4) return host.startsWith('127.');
  if (v === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** The Content-Security-Policy of served pages. */
export function bridgeCsp(origins: readonly string[]): string {
  const ws = origins.map((o) => o.replace(/^http/u, 'ws'));
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Mantine injects CSS variables at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${ws.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Builds the renderer with Vite when `dir` has no index.html. */
export function ensureRendererBuilt(dir: string): void {
  if (existsSync(join(dir, 'index.html'))) return;
  if (resolve(dir) !== resolve(DEFAULT_RENDERER_DIR)) throw new Error(`no built renderer in ${dir}`);
  process.stderr.write('helmlink console: building the renderer (vite build app/renderer)...\n');
  const r = spawnSync('npx', ['vite', 'build', 'app/renderer', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0 || !existsSync(join(dir, 'index.html')))
    throw new Error('the renderer build failed (vite build app/renderer)');
}

/** Starts the loopback web bridge. */
export async function startConsoleServer(options: ConsoleServerOptions = {}): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    throw new HelmlinkError(
      'ERR_BRIDGE_NON_LOOPBACK',
      `refusing to listen on ${host}: the web bridge only listens on 127.0.0.1 or ::1`,
    );
  }
  const rendererDir = resolve(options.rendererDir ?? DEFAULT_RENDERER_DIR);
  if (options.buildRenderer !== false) ensureRendererBuilt(rendererDir);
  const ownServices = !options.services;
  if (!options.services && !options.dataDir) throw new TypeError('dataDir or services is required');
  const services =
    options.services ??
    (await createConsoleServices({ dataDir: options.dataDir!, ...options.servicesOptions }));
  const router = new IpcRouter(createHandlers(services), services.logger);

  const tokens = new Set<string>();
  const sessions = new Set<string>();
  const mint = () => {
    const t = randomBytes(32).toString('base64url');
    tokens.add(t);
    return t;
  };
  const token = mint();
  let allowedHosts: string[] = [];
  let origins: string[] = [];

  const headers = (res: ServerResponse) => {
    res.setHeader('Content-Security-Policy', bridgeCsp(origins));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader(
      'Permissions-Policy',
      'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
    );
    res.setHeader('Cache-Control', 'no-store');
  };
  const refuse = (res: ServerResponse, status: number, text: string) => {
    headers(res);
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  };
  const sessionOf = (req: IncomingMessage): string | undefined => {
    const sid = cookieValue(req, SESSION_COOKIE);
    return sid && [...sessions].some((s) => safeEqual(s, sid)) ? sid : undefined;
  };
  const hostOk = (req: IncomingMessage) => allowedHosts.includes(req.headers.host ?? '');

  const server = createServer((req, res) => {
    void (async () => {
      if (!hostOk(req)) return refuse(res, 421, 'Misdirected request: unexpected Host');
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const presented = url.searchParams.get('token');
      if (presented !== null) {
        const match = [...tokens].find((t) => safeEqual(t, presented));
        if (!match) return refuse(res, 403, 'Forbidden: this console link is invalid or was already used');
        tokens.delete(match);
        const sid = randomBytes(32).toString('base64url');
        sessions.add(sid);
        headers(res);
        res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${sid}; HttpOnly; SameSite=Strict; Path=/`);
        res.writeHead(303, { location: url.pathname });
        return res.end();
      }
      if (!sessionOf(req))
        return refuse(
          res,
          403,
          'Forbidden: open the console with the link printed by `helmlink console --web`',
        );
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        return refuse(res, 400, 'Bad request');
      }
      if (path.includes('\0')) return refuse(res, 400, 'Bad request');
      const rel = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/u, '');
      const file = resolve(rendererDir, rel);
      if (file !== rendererDir && !file.startsWith(rendererDir + sep)) return refuse(res, 404, 'Not found');
      let target = file;
      try {
        if (!(await stat(target)).isFile()) throw new Error('not a file');
      } catch {
        // Client-side routes fall back to the app page; assets with an extension do not.
        if (extname(rel)) return refuse(res, 404, 'Not found');
        target = join(rendererDir, 'index.html');
      }
      const body = await readFile(target);
      headers(res);
      res.writeHead(200, {
        'content-type': MIME[extname(target)] ?? 'application/octet-stream',
        'content-length': body.length,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    })().catch(() => {
      if (!res.headersSent) refuse(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: WIRE_MAX_BYTES });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket: Socket, head) => {
    const deny = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== WS_PATH) return deny('404 Not Found');
    if (!hostOk(req)) return deny('421 Misdirected Request');
    if (!origins.includes(String(req.headers.origin ?? ''))) return deny('403 Forbidden');
    const sid = sessionOf(req);
    if (!sid) return deny('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      const send = (msg: WireServerMessage) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
      };
      const unsubscribe = services.events.subscribe((event, payload) =>
        send({ type: 'event', event, payload }),
      );
      ws.on('close', () => {
        unsubscribe();
        sockets.delete(ws);
      });
      ws.on('message', (data, isBinary) => {
        void (async () => {
          if (isBinary) return ws.close(1003, 'text frames only');
          let frame: unknown;
          try {
            frame = JSON.parse(data.toString());
          } catch {
            return ws.close(1007, 'malformed JSON');
          }
          const parsed = wireClientMessageSchema.safeParse(frame);
          if (!parsed.success) {
            const id = (frame as { id?: unknown } | null)?.id;
            if (typeof id === 'number') {
              send({
                type: 'result',
                id,
                result: {
                  ok: false,
                  error: { code: 'ERR_IPC_PAYLOAD_INVALID', message: 'The request frame is malformed' },
                },
              });
            }
            return;
          }
          // The session is re-checked per message: closing the server revokes every session at once.
          const trusted = sessions.has(sid);
          const result = await router.invoke(parsed.data.channel, parsed.data.payload, {
            transport: 'web',
            trusted,
            description: trusted ? 'authenticated bridge session' : 'revoked bridge session',
          });
          send({ type: 'result', id: parsed.data.id, result });
        })();
      });
      send({ type: 'hello', contractVersion: CONTRACT_VERSION });
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as { port: number }).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${hostInUrl}:${port}`;
  allowedHosts = [
    ...new Set([
      `${hostInUrl}:${port}`,
      ...(host === '127.0.0.1' || host === 'localhost' ? [`localhost:${port}`, `127.0.0.1:${port}`] : []),
    ]),
  ];
  origins = allowedHosts.map((h) => `http://${h}`);

  return {
    url: `${origin}/?token=${token}`,
    token,
    origin,
    port,
    services,
    newTokenUrl: () => `${origin}/?token=${mint()}`,
    async close() {
      sessions.clear();
      tokens.clear();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (ownServices) await services.close();
    },
  };
}
