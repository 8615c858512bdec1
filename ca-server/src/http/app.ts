/**
 * The Fastify application: thin routes (validate → authorize → act → respond), a JSON schema per route,
 * coded JSON errors, body limit and request timeout. TLS is configured by {@link startCaServer} (server.ts).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { HelmlinkError } from '@helmlink/protocol';
import type { ErrorBody, HealthResponse } from '@helmlink/ca-client/wire';
import type { Authority } from '../authority/authority';
import { tlsClientCertificate, type ClientCertificateSource } from './client-cert';
import { toWireError, type WireError } from './errors';
import type { RouteContext } from './route-context';
import { registerAdminRoutes } from './routes/admin';
import { registerEnrollRoutes } from './routes/enroll';
import { registerPublicRoutes } from './routes/public';

export interface AppOptions {
  /** Maximum request body in bytes. Default 64 KiB. */
  bodyLimit?: number;
  /** Request timeout in ms. Default 15 s. */
  requestTimeoutMs?: number;
  /** Where verified client certificates come from. Default: the TLS socket. */
  clientCertificate?: ClientCertificateSource;
  /** Fastify logger option (pino). Default off. */
  logger?: FastifyServerOptions['logger'];
  /** TLS options for Fastify (set by startCaServer). */
  https?: Record<string, unknown>;
  /** The broker side of GET /health (set by startCaServer when the CA has a broker). */
  brokerHealth?: () => Pick<HealthResponse, 'publishedCrlNumber' | 'broker'>;
}

/** Sends a coded error body (and Retry-After for 429), never Fastify's own error shape. */
function sendWireError(reply: FastifyReply, wire: WireError): void {
  if (wire.retryAfter !== undefined) void reply.header('retry-after', String(wire.retryAfter));
  void reply
    .code(wire.status)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .type('application/json')
    .send(wire.body);
}

/** Builds the CA's Fastify app around an authority. */
export function buildApp(authority: Authority, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    requestTimeout: options.requestTimeoutMs ?? 15_000,
    connectionTimeout: options.requestTimeoutMs ?? 15_000,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    trustProxy: false,
    // Refuse unknown properties instead of silently dropping them.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    // Errors Fastify raises before routing (a URL that does not decode, an over-long parameter) get the coded body.
    frameworkErrors: (err: unknown, _req: unknown, reply: FastifyReply) =>
      sendWireError(reply, toWireError(err)),
    ...(options.https ? { https: options.https } : {}),
  } as FastifyServerOptions) as unknown as FastifyInstance;
  const source = options.clientCertificate ?? tlsClientCertificate;

  app.setErrorHandler((err, req, reply) => {
    const wire = toWireError(err);
    if (wire.status >= 500) req.log.error({ err }, 'request failed');
    sendWireError(reply, wire);
  });
  app.setNotFoundHandler((_req, reply) => {
    const body: ErrorBody = { error: { code: 'ERR_NOT_FOUND', message: 'No such resource' } };
    void reply.code(404).send(body);
  });
  // A callback hook, not an async one: no promise per response.
  app.addHook('onSend', (_req, reply, payload, done) => {
    void reply.header('cache-control', 'no-store');
    void reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });

  const ctx: RouteContext = {
    authority,
    ...(options.brokerHealth ? { brokerHealth: options.brokerHealth } : {}),
    requireClient: (role) => async (req) => {
      let der: Uint8Array | undefined;
      try {
        der = source(req);
        if (!der) throw new HelmlinkError('ERR_CLIENT_CERT_REQUIRED');
      } catch (err) {
        // No usable certificate at all: an unauthenticated failure of this address (429 once over its budget).
        authority.failures.guard(req.ip);
        authority.failures.count(req.ip);
        throw err;
      }
      req.client = await authority.authenticateClient(der, role, req.ip);
    },
  };
  registerPublicRoutes(app, ctx);
  registerEnrollRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  return app;
}
