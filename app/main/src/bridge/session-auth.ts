/**
 * Who may use the web bridge. A random one-time token travels in the printed URL; the first page load presenting
 * it gets a session cookie (HttpOnly, SameSite=Strict) and the token is spent. Every later HTTP request and the
 * WebSocket upgrade need that session. Host must be one the bridge listens on (defeats DNS rebinding); the
 * WebSocket Origin must be the bridge's own origin (defeats cross-site WebSocket hijacking).
 *
 * Everything that decides whether a request is authenticated lives here, so the HTTP handler and the WebSocket
 * dispatcher only ask.
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'helmlink_session';

/** The session authority of one bridge. */
export interface SessionAuth {
  /** Mints another one-time login token. */
  mintToken(): string;
  /**
   * Spends a presented login token. Returns the new session's `Set-Cookie` value, or undefined when the token is
   * unknown or was already used.
   */
  login(presented: string): { sessionId: string; setCookie: string } | undefined;
  /** The live session a request carries (cookie), or undefined. */
  sessionOf(req: IncomingMessage): string | undefined;
  /** True while `sessionId` has not been revoked. */
  isLive(sessionId: string): boolean;
  /** True when the request's Host is one the bridge listens on. */
  hostAllowed(req: IncomingMessage): boolean;
  /** True when the request's Origin is the bridge's own. */
  originAllowed(req: IncomingMessage): boolean;
  /** The bridge's own origins (after {@link listening}). */
  origins(): readonly string[];
  /** Sets the Host values (`host:port`) the bridge answers, once it listens. */
  listening(hosts: readonly string[]): void;
  /** Revokes every token and session at once (the bridge closes). */
  revokeAll(): void;
}

const secret = (): string => randomBytes(32).toString('base64url');

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

/** A fresh session authority with no tokens, no sessions and no allowed host until {@link SessionAuth.listening}. */
export function createSessionAuth(): SessionAuth {
  const tokens = new Set<string>();
  const sessions = new Set<string>();
  let hosts: readonly string[] = [];
  let origins: readonly string[] = [];
  return {
    mintToken() {
      const t = secret();
      tokens.add(t);
      return t;
    },
    login(presented) {
      const match = [...tokens].find((t) => safeEqual(t, presented));
      if (!match) return undefined;
      tokens.delete(match);
      const sessionId = secret();
      sessions.add(sessionId);
      return { sessionId, setCookie: `${SESSION_COOKIE}=${sessionId}; HttpOnly; SameSite=Strict; Path=/` };
    },
    sessionOf(req) {
      const sid = cookieValue(req, SESSION_COOKIE);
      return sid && [...sessions].some((s) => safeEqual(s, sid)) ? sid : undefined;
    },
    isLive: (sessionId) => sessions.has(sessionId),
    hostAllowed: (req) => hosts.includes(req.headers.host ?? ''),
    originAllowed: (req) => origins.includes(String(req.headers.origin ?? '')),
    origins: () => origins,
    listening(next) {
      hosts = [...next];
      origins = hosts.map((h) => `http://${h}`);
    },
    revokeAll() {
      sessions.clear();
      tokens.clear();
    },
  };
}
