/** Public routes: health, chain, CRL and certificates by serial. */
import type { FastifyInstance } from 'fastify';
import {
  CA_MEDIA_TYPES,
  CA_ROUTES,
  type CertificateResponse,
  type ChainResponse,
  type HealthResponse,
} from '@helmlink/ca-client/wire';
import { recordPem, recordView } from '../../authority/issue';
import type { RouteContext } from '../route-context';

const PEM = CA_MEDIA_TYPES.pem;

const wantsJson = (accept: string | undefined): boolean => (accept ?? '').includes(CA_MEDIA_TYPES.json);

const nullable = (type: string) => ({ type: [type, 'null'] });

const HEALTH_SCHEMA = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    crlNumber: { type: 'integer' },
    crlNextUpdate: { type: 'string' },
    publishedCrlNumber: nullable('integer'),
    broker: {
      type: 'object',
      properties: {
        url: { type: 'string' },
        connected: { type: 'boolean' },
        since: { type: 'string' },
        lastError: { type: 'string' },
        publishFailures: { type: 'integer' },
        syncedCrlNumber: nullable('integer'),
        reload: nullable('string'),
        syncedAt: nullable('string'),
      },
    },
  },
} as const;

/** GET /health, /ca/v1/chain, /ca/v1/crl, /ca/v1/certs/:serial */
export function registerPublicRoutes(app: FastifyInstance, { authority, brokerHealth }: RouteContext): void {
  app.get<{ Reply: HealthResponse }>(
    CA_ROUTES.health,
    { schema: { response: { 200: HEALTH_SCHEMA } } },
    async (): Promise<HealthResponse> => {
      // A CA that can no longer make writes durable is not healthy, although it still serves its CRL and chain.
      const failure = authority.store.durabilityFailure();
      if (failure) throw failure;
      const crl = await authority.currentCrl();
      return {
        status: 'ok',
        crlNumber: crl.number,
        crlNextUpdate: crl.nextUpdate.toISOString(),
        ...brokerHealth?.(),
      };
    },
  );

  app.get<{ Reply: ChainResponse | string }>(
    CA_ROUTES.chain,
    { schema: { headers: { type: 'object', properties: { accept: { type: 'string' } } } } },
    async (req, reply) => {
      if (wantsJson(req.headers.accept)) {
        return {
          chain: authority.chainPem(),
          root: authority.rootPem(),
          rootFingerprint: await authority.rootFingerprint(),
        };
      }
      return reply.type(PEM).send(authority.chainPem());
    },
  );

  app.get(
    CA_ROUTES.crl,
    { schema: { headers: { type: 'object', properties: { accept: { type: 'string' } } } } },
    async (req, reply) => {
      const crl = await authority.currentCrl();
      if ((req.headers.accept ?? '').includes(CA_MEDIA_TYPES.crl))
        return reply.type(CA_MEDIA_TYPES.crl).send(Buffer.from(crl.der));
      return reply.type(PEM).send(crl.pem);
    },
  );

  app.get<{ Params: { serial: string }; Reply: CertificateResponse | string }>(
    CA_ROUTES.certificate,
    {
      schema: {
        params: {
          type: 'object',
          required: ['serial'],
          properties: { serial: { type: 'string', pattern: '^[0-9a-fA-F]{1,40}$' } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const record = authority.getCertificate(req.params.serial);
      if (wantsJson(req.headers.accept)) return { ...recordView(record), certificate: recordPem(record) };
      return reply.type(PEM).send(recordPem(record));
    },
  );
}
