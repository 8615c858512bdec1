/** Admin routes: mutual TLS with a valid certificate holding the admin role. */
import type { FastifyInstance } from 'fastify';
import {
  ENROLLABLE_ROLES,
  ENTITY_ID_MAX_LENGTH,
  MARITIME_SHAPES,
  SHIP_NAME_MAX_LENGTH,
  REVOCATION_REASONS,
  ROLES,
} from '@helmlink/protocol';
import {
  CA_ROUTES,
  CERT_STATUSES,
  type AlertsQuery,
  type AlertsResponse,
  type CertListQuery,
  type CertListResponse,
  type ReleaseRequest,
  type RevokeRequest,
  type StatusChangeResponse,
  type TokenRequest,
  type TokenResponse,
} from '@helmlink/ca-client/wire';
import { recordView } from '../../authority/issue';
import type { RouteContext } from '../route-context';

const actorOf = (req: { client?: { entityId: string; serial: string }; ip: string }) => ({
  id: req.client!.entityId,
  serial: req.client!.serial,
  address: req.ip,
});

const certView = { type: 'object', additionalProperties: true } as const;

/** The onRequest hook that admits only admin clients. */
type AdminGuard = ReturnType<RouteContext['requireClient']>;

/** POST /ca/v1/tokens: a one-time enrollment token. */
function registerTokenRoute(
  app: FastifyInstance,
  authority: RouteContext['authority'],
  admin: AdminGuard,
): void {
  app.post<{ Body: TokenRequest; Reply: TokenResponse }>(
    CA_ROUTES.tokens,
    {
      onRequest: admin,
      schema: {
        body: {
          type: 'object',
          required: ['entityId', 'roles'],
          additionalProperties: false,
          properties: {
            entityId: { type: 'string', minLength: 1, maxLength: ENTITY_ID_MAX_LENGTH },
            roles: {
              type: 'array',
              minItems: 1,
              maxItems: 4,
              items: { type: 'string', enum: ENROLLABLE_ROLES },
            },
            name: { type: 'string', minLength: 1, maxLength: SHIP_NAME_MAX_LENGTH * 2 },
            imo: { type: 'string', pattern: MARITIME_SHAPES.imo.source },
            mmsi: { type: 'string', pattern: MARITIME_SHAPES.mmsi.source },
            flag: { type: 'string', pattern: MARITIME_SHAPES.flag.source },
            ttlSeconds: { type: 'integer', minimum: 60, maximum: 2592000 },
            validityDays: { type: 'integer', minimum: 1, maximum: 825 },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              token: { type: 'string' },
              expiresAt: { type: 'string' },
              entityId: { type: 'string' },
              roles: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    async (req, reply) => reply.code(201).send(authority.createEnrollmentToken(req.body, actorOf(req))),
  );
}

/** GET /ca/v1/certs: certificates by role, status and expiry. */
function registerCertListRoute(
  app: FastifyInstance,
  authority: RouteContext['authority'],
  admin: AdminGuard,
): void {
  app.get<{ Querystring: CertListQuery; Reply: CertListResponse }>(
    CA_ROUTES.certificates,
    {
      onRequest: admin,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            role: { type: 'string', enum: [...ROLES] },
            status: { type: 'string', enum: [...CERT_STATUSES] },
            expiring_within: { type: 'integer', minimum: 0, maximum: 315360000 },
            limit: { type: 'integer', minimum: 1, maximum: 10000 },
          },
        },
        response: {
          200: { type: 'object', properties: { certificates: { type: 'array', items: certView } } },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const list = authority.listCertificates({
        ...(q.role ? { role: q.role } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.expiring_within !== undefined ? { expiringWithinSeconds: q.expiring_within } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
      return { certificates: list.map(recordView) };
    },
  );
}

/** POST /ca/v1/revoke and POST /ca/v1/release (certificateHold only). */
function registerRevocationRoutes(
  app: FastifyInstance,
  authority: RouteContext['authority'],
  admin: AdminGuard,
): void {
  app.post<{ Body: RevokeRequest; Reply: StatusChangeResponse }>(
    CA_ROUTES.revoke,
    {
      onRequest: [admin, async (req) => authority.checkRate('revoke', 'perAddress', req.ip)],
      schema: {
        body: {
          type: 'object',
          required: ['serial', 'reason'],
          additionalProperties: false,
          properties: {
            serial: { type: 'string', pattern: '^[0-9a-fA-F:]{1,60}$' },
            reason: { type: 'integer', enum: Object.values(REVOCATION_REASONS) },
            description: { type: 'string', maxLength: 500 },
            force: { type: 'boolean' },
            replacement: { type: 'string', pattern: '^(issue|[0-9a-fA-F:]{1,60})$' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              certificate: certView,
              crlNumber: { type: 'integer' },
              alsoRevoked: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    async (req) => {
      const result = await authority.revoke(req.body, actorOf(req));
      return {
        certificate: recordView(result.certificate),
        crlNumber: result.crlNumber,
        alsoRevoked: result.alsoRevoked,
      };
    },
  );

  app.post<{ Body: ReleaseRequest; Reply: StatusChangeResponse }>(
    CA_ROUTES.release,
    {
      onRequest: admin,
      schema: {
        body: {
          type: 'object',
          required: ['serial'],
          additionalProperties: false,
          properties: { serial: { type: 'string', pattern: '^[0-9a-fA-F:]{1,60}$' } },
        },
        response: {
          200: { type: 'object', properties: { certificate: certView, crlNumber: { type: 'integer' } } },
        },
      },
    },
    async (req) => {
      const result = await authority.release(req.body, actorOf(req));
      return { certificate: recordView(result.certificate), crlNumber: result.crlNumber };
    },
  );
}

/** GET /ca/v1/alerts: the stored security alerts. */
function registerAlertRoute(
  app: FastifyInstance,
  authority: RouteContext['authority'],
  admin: AdminGuard,
): void {
  app.get<{ Querystring: AlertsQuery; Reply: AlertsResponse }>(
    CA_ROUTES.alerts,
    {
      onRequest: admin,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              alerts: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    at: { type: 'string' },
                    kind: { type: 'string' },
                    severity: { type: 'string' },
                    message: { type: 'string' },
                    details: { type: 'object', additionalProperties: true },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (req) => ({
      alerts: authority
        .listAlerts(req.query.since, req.query.limit)
        .map((a) => ({ ...a, at: new Date(a.ts).toISOString() })),
    }),
  );
}

/** POST /ca/v1/tokens, GET /ca/v1/certs, POST /ca/v1/revoke, POST /ca/v1/release, GET /ca/v1/alerts */
export function registerAdminRoutes(app: FastifyInstance, { authority, requireClient }: RouteContext): void {
  const admin = requireClient('admin');
  registerTokenRoute(app, authority, admin);
  registerCertListRoute(app, authority, admin);
  registerRevocationRoutes(app, authority, admin);
  registerAlertRoute(app, authority, admin);
}
