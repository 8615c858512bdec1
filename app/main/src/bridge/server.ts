/**
 * The loopback web bridge: serves the built renderer on 127.0.0.1 (or ::1) and speaks the IPC contract over a
 * same-origin WebSocket to the same router and services Electron uses. This is how the console runs in a plain
 * browser (and in the Playwright scenarios) where the Electron binary is unavailable.
 *
 * Composition only: loopback binding (`loopback.ts`), who may use it (`session-auth.ts`), the page
 * (`http-handler.ts` over the shared `static/renderer-assets.ts`) and the contract over WebSocket (`ws-rpc.ts`).
 * The renderer is built by the build (`npm run build`), never here: without it this fails with
 * ERR_RENDERER_NOT_BUILT before anything starts.
 */
import { createServer } from 'node:http';
import { createConsoleServices, type ConsoleServices, type ConsoleServicesOptions } from '../services';
import { createHandlers } from '../ipc/handlers';
import { IpcRouter } from '../ipc/router';
import { assertRendererBuilt, DEFAULT_RENDERER_DIR } from '../static/renderer-dir';
import { createHttpHandler } from './http-handler';
import { assertLoopbackHost, loopbackEndpoints } from './loopback';
import { createSessionAuth, type SessionAuthOptions } from './session-auth';
import { attachWsRpc } from './ws-rpc';

export interface ConsoleServerOptions {
  /** Data directory of the console services (ignored when `services` is given). */
  dataDir?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Loopback address to bind (default 127.0.0.1). */
  host?: string;
  /** Built renderer directory (default app/renderer/dist, written by `npm run build`). */
  rendererDir?: string;
  /** Use these services (the caller closes them) instead of creating new ones. */
  services?: ConsoleServices;
  /** Options for the services created here. */
  servicesOptions?: Omit<ConsoleServicesOptions, 'dataDir'>;
  /** Session lifetimes and their clock (defaults: 12 h sessions, 1 h links, the system clock). */
  session?: SessionAuthOptions;
}

export interface ConsoleServer {
  /** The console link to open, with a one-time token (spent on first use, expires after an hour by default). */
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

/**
 * Starts the loopback web bridge. ERR_BRIDGE_NON_LOOPBACK for any other address, ERR_RENDERER_NOT_BUILT when the
 * renderer directory holds no built page.
 */
export async function startConsoleServer(options: ConsoleServerOptions = {}): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  assertLoopbackHost(host);
  const rendererDir = assertRendererBuilt(options.rendererDir ?? DEFAULT_RENDERER_DIR);
  const ownServices = !options.services;
  if (!options.services && !options.dataDir) throw new TypeError('dataDir or services is required');
  const services =
    options.services ??
    (await createConsoleServices({ dataDir: options.dataDir!, ...options.servicesOptions }));
  const router = new IpcRouter(createHandlers(services), services.logger);

  const auth = createSessionAuth(options.session);
  const token = auth.mintToken();
  const server = createServer(createHttpHandler(auth, rendererDir));
  const ws = attachWsRpc(server, auth, router, services.events);

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as { port: number }).port;
  const { origin, hosts } = loopbackEndpoints(host, port);
  auth.listening(hosts);

  return {
    url: `${origin}/?token=${token}`,
    token,
    origin,
    port,
    services,
    newTokenUrl: () => `${origin}/?token=${auth.mintToken()}`,
    async close() {
      auth.revokeAll();
      ws.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (ownServices) await services.close();
    },
  };
}
