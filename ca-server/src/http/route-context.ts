/**
 * What the route modules get from the app: the authority and the mTLS preHandler. Its own module so that the
 * routes and `app.ts` (which registers them) do not import each other.
 */
import type { FastifyRequest } from 'fastify';
import type { Role } from '@helmlink/protocol';
import type { HealthResponse } from '@helmlink/ca-client/wire';
import type { Authority } from '../authority/authority';
import type { CertRecord } from '../store/types';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated mTLS client, set by {@link RouteContext.requireClient}. */
    client?: CertRecord;
  }
}

/** Per-request helpers shared by the route modules. */
export interface RouteContext {
  authority: Authority;
  /** The broker side of GET /health, when the CA has a broker. */
  brokerHealth?: () => Pick<HealthResponse, 'publishedCrlNumber' | 'broker'>;
  /** preHandler: authenticate the mTLS client (optionally requiring a role) and set `request.client`. */
  requireClient: (role?: Role) => (req: FastifyRequest) => Promise<void>;
}
