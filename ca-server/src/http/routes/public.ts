/** Public routes: health, chain, CRL and certificates by serial. */
import type { FastifyInstance } from 'fastify';
import { recordPem, recordView } from '../../authority/issue';
import type { RouteContext } from '../app';

const PEM = 'application/x-pem-file';

const wantsJson = (accept: string | undefined): boolean => (accept ?? '').includes('application/json');

/** GET /health, /ca/v1/chain, /ca/v1/crl, /ca/v1/certs/:serial */
export function registerPublicRoutes(app: FastifyInstance, { authority }: RouteContext): void {
  app.get(
    '/health',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              crlNumber: { type: 'integer' },
              crlNextUpdate: { type: 'string' },
            },
          },
        },
      },
    },
    async () => {
      const crl = await authority.currentCrl();
      return { status: 'ok', crlNumber: crl.number, crlNextUpdate: crl.nextUpdate.toISOString() };
    },
  );

  app.get(
    '/ca/v1/chain',
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
    '/ca/v1/crl',
    { schema: { headers: { type: 'object', properties: { accept: { type: 'string' } } } } },
    async (req, reply) => {
      const crl = await authority.currentCrl();
      if ((req.headers.accept ?? '').includes('application/pkix-crl'))
        return reply.type('application/pkix-crl').send(Buffer.from(crl.der));
      return reply.type(PEM).send(crl.pem);
    },
  );

  app.get<{ Params: { serial: string } }>(
    '/ca/v1/certs/:serial',
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
