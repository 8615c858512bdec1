/**
 * The bridge's WebSocket side: the IPC contract spoken as JSON frames over {@link WS_PATH}. The upgrade needs an
 * allowed Host and the bridge's own Origin; the socket's first frame must then authenticate it (the page's handoff
 * or session secret, see `session-auth.ts`), else it is closed with {@link WIRE_CLOSE_SESSION_ENDED}. Each later
 * `invoke` frame is validated, dispatched to the same {@link IpcRouter} Electron uses and answered with a `result`
 * frame; service events are pushed as `event` frames while the session lives. A socket whose session expired or was
 * logged out is closed with the same code.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  CONTRACT_VERSION,
  WIRE_CLOSE_SESSION_ENDED,
  WIRE_MAX_BYTES,
  WS_PATH,
  wireAuthMessageSchema,
  wireClientMessageSchema,
  type WireServerMessage,
} from '@helmlink/app-preload';
import type { ConsoleEvents } from '../services/core/events';
import type { IpcRouter } from '../ipc/router';
import { requestTarget } from './request-target';
import type { SessionAuth } from './session-auth';

/** How long a new socket may take to send its authenticating first frame. */
export const AUTH_TIMEOUT_MS = 10_000;
/** How often open sockets are checked for an expired session (events stop at once anyway). */
const SWEEP_MS = 30_000;

/** The WebSocket endpoint attached to a bridge's HTTP server. */
export interface WsRpc {
  /** Terminates every socket and stops accepting upgrades. */
  close(): void;
}

interface Shared {
  auth: SessionAuth;
  router: IpcRouter;
  events: ConsoleEvents;
  /** Authenticated sockets by session. */
  bySession: Map<string, Set<WebSocket>>;
}

/** Accepts WebSocket upgrades on `server` with the right Host and Origin, and serves their frames. */
export function attachWsRpc(
  server: Server,
  auth: SessionAuth,
  router: IpcRouter,
  events: ConsoleEvents,
): WsRpc {
  const wss = new WebSocketServer({ noServer: true, maxPayload: WIRE_MAX_BYTES });
  const sockets = new Set<WebSocket>();
  const shared: Shared = { auth, router, events, bySession: new Map() };
  server.on('upgrade', (req, socket: Socket, head) => {
    const deny = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (requestTarget(req.url)?.pathname !== WS_PATH) return deny('404 Not Found');
    if (!auth.hostAllowed(req)) return deny('421 Misdirected Request');
    if (!auth.originAllowed(req)) return deny('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      serveSocket(ws, shared, () => sockets.delete(ws));
    });
  });
  const sweep = setInterval(() => {
    for (const [session, set] of shared.bySession)
      if (!auth.isLive(session)) for (const ws of set) ws.close(WIRE_CLOSE_SESSION_ENDED, 'session expired');
  }, SWEEP_MS);
  sweep.unref();
  return {
    close() {
      clearInterval(sweep);
      for (const ws of sockets) ws.terminate();
      wss.close();
    },
  };
}

function serveSocket(ws: WebSocket, shared: Shared, onClose: () => void): void {
  const { auth, router, events, bySession } = shared;
  let session: string | undefined;
  let unsubscribe: (() => void) | undefined;
  const send = (msg: WireServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const end = (reason: string) => ws.close(WIRE_CLOSE_SESSION_ENDED, reason);
  const authTimer = setTimeout(() => session ?? end('no credentials'), AUTH_TIMEOUT_MS);
  ws.on('close', () => {
    clearTimeout(authTimer);
    unsubscribe?.();
    if (session) bySession.get(session)?.delete(ws);
    onClose();
  });

  const authenticate = (frame: unknown): void => {
    const parsed = wireAuthMessageSchema.safeParse(frame);
    const granted = parsed.success ? auth.authenticate(parsed.data) : undefined;
    if (!granted) return end('not authenticated: open a new console link');
    const sid = granted.session;
    session = sid;
    clearTimeout(authTimer);
    let set = bySession.get(sid);
    if (!set) bySession.set(sid, (set = new Set()));
    set.add(ws);
    send({
      type: 'session',
      ...(granted.fresh ? { session: sid } : {}),
      expiresAt: new Date(granted.expiresAt).toISOString(),
    });
    send({ type: 'hello', contractVersion: CONTRACT_VERSION });
    unsubscribe = events.subscribe((event, payload) => {
      if (!auth.isLive(sid)) return end('session expired');
      send({ type: 'event', event, payload });
    });
  };

  // Ends the session everywhere: the other sockets of the session now, this one once its answer is sent.
  const endSession = (sid: string) => () => {
    auth.end(sid);
    for (const other of bySession.get(sid) ?? [])
      if (other !== ws) other.close(WIRE_CLOSE_SESSION_ENDED, 'logged out');
  };

  const invoke = async (sid: string, frame: unknown): Promise<void> => {
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
    // The session is re-checked per message: it may have expired, been logged out, or the bridge closed.
    const trusted = auth.isLive(sid);
    const result = await router.invoke(parsed.data.channel, parsed.data.payload, {
      transport: 'web',
      trusted,
      description: trusted ? 'authenticated bridge session' : 'expired or ended bridge session',
      endSession: endSession(sid),
    });
    send({ type: 'result', id: parsed.data.id, result });
    if (!auth.isLive(sid)) end(trusted ? 'logged out' : 'session expired');
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return ws.close(1003, 'text frames only');
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return ws.close(1007, 'malformed JSON');
    }
    if (session === undefined) return authenticate(frame);
    void invoke(session, frame);
  });
}
