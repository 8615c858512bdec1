/**
 * Who may use the web bridge. Nothing here is a cookie: a cookie is scoped to the host, not the port, so every
 * other listener on 127.0.0.1 that the browser visits would receive it (and with it a non-browser client could
 * forge an Origin and use the console).
 *
 * 1. A random one-time **link token** travels in the printed URL (`/?token=…`). The first load presenting it spends
 *    it and opens a session: the answer is a redirect to the session's page path `/s/<pageKey>/` with a one-time
 *    **handoff** in the URL fragment (fragments are never sent to any server).
 * 2. The page (and its assets) are served only under a live session's page path, so nothing is served to a client
 *    without a console link. The page key is not a credential for the API.
 * 3. The page opens the WebSocket and presents the handoff in its first frame; the server answers with the
 *    **session secret**, which the page keeps in memory and sessionStorage (both scoped to this origin, port
 *    included) and presents as the first frame of every later connection.
 *
 * Sessions expire (default 12 hours) and end on logout or when the bridge closes. Host must be one the bridge
 * listens on (defeats DNS rebinding); the WebSocket Origin must be the bridge's own (cross-site WebSocket
 * hijacking); both are checked before any of this.
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '@helmlink/protocol';

/** Where the page of a session is served: `/s/<pageKey>/`. */
export const PAGE_PREFIX = '/s/';

export interface SessionAuthOptions {
  /** Clock for expiries, epoch ms (default the system clock). */
  clock?: Clock;
  /** Session lifetime, ms (default 12 hours). */
  sessionTtlMs?: number;
  /** Lifetime of a one-time console link, ms (default 1 hour). */
  linkTtlMs?: number;
  /** Lifetime of the handoff between the redirect and the page's first frame, ms (default 2 minutes). */
  handoffTtlMs?: number;
}

/** A session opened by a console link. */
export interface OpenedSession {
  /** The page path of the session (`/s/<pageKey>/`). */
  pagePath: string;
  /** The one-time handoff the page exchanges for the session secret. */
  handoff: string;
}

/** An authenticated WebSocket's session. */
export interface AuthenticatedSession {
  /** The session secret (the socket's session id). */
  session: string;
  /** True when this authentication spent the handoff: the secret must be handed to the page. */
  fresh: boolean;
  expiresAt: number;
}

/** The session authority of one bridge. */
export interface SessionAuth {
  /** Mints another one-time console link token. */
  mintToken(): string;
  /** Spends a console link token and opens a session; undefined when the token is unknown, used or expired. */
  login(presented: string): OpenedSession | undefined;
  /** For a path under a live session's page path: the rest of the path (at least `/`); otherwise undefined. */
  pageAsset(pathname: string): string | undefined;
  /** Authenticates a socket's first frame; undefined when neither its handoff nor its session is live. */
  authenticate(credential: { handoff: string } | { session: string }): AuthenticatedSession | undefined;
  /** True while the session is neither expired nor ended. */
  isLive(session: string): boolean;
  /** Ends a session (logout): its secret, handoff and page path stop working at once. */
  end(session: string): void;
  /** True when the request's Host is one the bridge listens on. */
  hostAllowed(req: IncomingMessage): boolean;
  /** True when the request's Origin is the bridge's own. */
  originAllowed(req: IncomingMessage): boolean;
  /** The bridge's own origins (after {@link listening}). */
  origins(): readonly string[];
  /** Sets the Host values (`host:port`) the bridge answers, once it listens. */
  listening(hosts: readonly string[]): void;
  /** Revokes every link and session at once (the bridge closes). */
  revokeAll(): void;
}

interface Session {
  secret: string;
  pageKey: string;
  handoff: string | undefined;
  handoffExpiresAt: number;
  expiresAt: number;
}

const secret = (): string => randomBytes(32).toString('base64url');

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** A fresh session authority with no links, no sessions and no allowed host until {@link SessionAuth.listening}. */
export function createSessionAuth(options: SessionAuthOptions = {}): SessionAuth {
  const clock = options.clock ?? systemClock;
  const sessionTtl = options.sessionTtlMs ?? 12 * 3_600_000;
  const linkTtl = options.linkTtlMs ?? 3_600_000;
  const handoffTtl = options.handoffTtlMs ?? 120_000;
  const links = new Map<string, number>();
  const sessions: Session[] = [];
  let hosts: readonly string[] = [];
  let origins: readonly string[] = [];

  const live = (s: Session) => s.expiresAt > clock();
  const prune = () => {
    const now = clock();
    for (const [t, expiresAt] of links) if (expiresAt <= now) links.delete(t);
    for (let i = sessions.length - 1; i >= 0; i--) if (!live(sessions[i]!)) sessions.splice(i, 1);
  };
  const find = (pick: (s: Session) => string | undefined, presented: string) => {
    prune();
    return sessions.find((s) => {
      const value = pick(s);
      return value !== undefined && safeEqual(value, presented);
    });
  };

  return {
    mintToken() {
      const t = secret();
      links.set(t, clock() + linkTtl);
      return t;
    },
    login(presented) {
      prune();
      const match = [...links.keys()].find((t) => safeEqual(t, presented));
      if (!match) return undefined;
      links.delete(match);
      const now = clock();
      const s: Session = {
        secret: secret(),
        pageKey: secret(),
        handoff: secret(),
        handoffExpiresAt: now + handoffTtl,
        expiresAt: now + sessionTtl,
      };
      sessions.push(s);
      return { pagePath: `${PAGE_PREFIX}${s.pageKey}/`, handoff: s.handoff! };
    },
    pageAsset(pathname) {
      if (!pathname.startsWith(PAGE_PREFIX)) return undefined;
      const rest = pathname.slice(PAGE_PREFIX.length);
      const slash = rest.indexOf('/');
      if (slash < 0) return undefined;
      return find((s) => s.pageKey, rest.slice(0, slash)) ? rest.slice(slash) : undefined;
    },
    authenticate(credential) {
      if ('handoff' in credential) {
        const s = find((x) => x.handoff, credential.handoff);
        if (!s) return undefined;
        // One use only, and only shortly after the redirect that carried it.
        s.handoff = undefined;
        if (s.handoffExpiresAt <= clock()) return undefined;
        return { session: s.secret, fresh: true, expiresAt: s.expiresAt };
      }
      const s = find((x) => x.secret, credential.session);
      return s ? { session: s.secret, fresh: false, expiresAt: s.expiresAt } : undefined;
    },
    isLive: (session) => sessions.some((s) => s.secret === session && live(s)),
    end(session) {
      const i = sessions.findIndex((s) => s.secret === session);
      if (i >= 0) sessions.splice(i, 1);
    },
    hostAllowed: (req) => hosts.includes(req.headers.host ?? ''),
    originAllowed: (req) => origins.includes(String(req.headers.origin ?? '')),
    origins: () => origins,
    listening(next) {
      hosts = [...next];
      origins = hosts.map((h) => `http://${h}`);
    },
    revokeAll() {
      sessions.length = 0;
      links.clear();
    },
  };
}
