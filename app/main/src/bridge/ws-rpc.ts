/**
 * The bridge's WebSocket side: the IPC contract spoken as JSON frames over {@link WS_PATH}. The upgrade needs an
 * allowed Host, the bridge's own Origin and a live session; each `invoke` frame is validated, dispatched to the same
 * {@link IpcRouter} Electron uses and answered with a `result` frame; service events are pushed as `event` frames.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CONTRACT_VERSION,
  WIRE_MAX_BYTES,
  WS_PATH,
  wireClientMessageSchema,
  type WireServerMessage,
} from '@helmlink/app-preload';
import type { ConsoleEvents } from '../services/core/events';
import type { IpcRouter } from '../ipc/router';
import type { SessionAuth } from './session-auth';

/** The WebSocket endpoint attached to a bridge's HTTP server. */
export interface WsRpc {
  /** Terminates every socket and stops accepting upgrades. */
  close(): void;
}

/** Accepts authenticated WebSocket upgrades on `server` and dispatches their frames to `router`. */
export function attachWsRpc(
  server: Server,
  auth: SessionAuth,
  router: IpcRouter,
  events: ConsoleEvents,
): WsRpc {
  const wss = new WebSocketServer({ noServer: true, maxPayload: WIRE_MAX_BYTES });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket: Socket, head) => {
    const deny = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== WS_PATH) return deny('404 Not Found');
    if (!auth.hostAllowed(req)) return deny('421 Misdirected Request');
    if (!auth.originAllowed(req)) return deny('403 Forbidden');
    const sid = auth.sessionOf(req);
    if (!sid) return deny('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      serveSocket(ws, sid, auth, router, events, () => sockets.delete(ws));
    });
  });
  return {
    close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
    },
  };
}

function serveSocket(
  ws: WebSocket,
  sid: string,
  auth: SessionAuth,
  router: IpcRouter,
  events: ConsoleEvents,
  onClose: () => void,
): void {
  const send = (msg: WireServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const unsubscribe = events.subscribe((event, payload) => send({ type: 'event', event, payload }));
  ws.on('close', () => {
    unsubscribe();
    onClose();
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
      const trusted = auth.isLive(sid);
      const result = await router.invoke(parsed.data.channel, parsed.data.payload, {
        transport: 'web',
        trusted,
        description: trusted ? 'authenticated bridge session' : 'revoked bridge session',
      });
      send({ type: 'result', id: parsed.data.id, result });
    })();
  });
  send({ type: 'hello', contractVersion: CONTRACT_VERSION });
}
