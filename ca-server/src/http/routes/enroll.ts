/** Enrollment with a one-time token, and renewal over mutual TLS. */
import type { FastifyInstance } from 'fastify';
import { CA_ROUTES, type EnrollRequest, type IssuedWire, type RenewRequest } from '@helmlink/ca-client/wire';
import type { IssuedCertificate } from '../../authority/authority';
import type { RouteContext } from '../route-context';

const issuedSchema = {
  type: 'object',
  required: ['serial', 'certificate', 'chain', 'root', 'notAfter'],
  properties: {
    serial: { type: 'string' },
    certificate: { type: 'string' },
    chain: { type: 'string' },
    root: { type: 'string' },
    notAfter: { type: 'string' },
  },
} as const;

const CSR_MAX = 16 * 1024;

const wire = (c: IssuedCertificate): IssuedWire => ({
  serial: c.serial,
  certificate: c.certificatePem,
  chain: c.chainPem,
  root: c.rootPem,
  notAfter: c.notAfter,
});

/** POST /ca/v1/enroll, POST /ca/v1/renew */
export function registerEnrollRoutes(app: FastifyInstance, { authority, requireClient }: RouteContext): void {
  app.post<{ Body: EnrollRequest; Reply: IssuedWire }>(
    CA_ROUTES.enroll,
    {
      schema: {
        body: {
          type: 'object',
          required: ['csr', 'token'],
          additionalProperties: false,
          properties: {
            csr: { type: 'string', minLength: 1, maxLength: CSR_MAX },
            token: { type: 'string', minLength: 1, maxLength: 256 },
          },
        },
        response: { 201: issuedSchema },
      },
    },
    async (req, reply) => {
      const issued = await authority.enroll(req.body, { address: req.ip });
      return reply.code(201).send(wire(issued));
    },
  );

  app.post<{ Body: RenewRequest | undefined; Reply: IssuedWire }>(
    CA_ROUTES.renew,
    {
      // Authenticated first: the address's limit counts this client's requests, never others' failures.
      onRequest: [requireClient(), async (req) => authority.checkRate('renew', 'perAddress', req.ip)],
      schema: {
        body: {
          anyOf: [
            {
              type: 'object',
              additionalProperties: false,
              properties: { csr: { type: 'string', minLength: 1, maxLength: CSR_MAX } },
            },
            { type: 'null' },
          ],
        },
        response: { 201: issuedSchema },
      },
    },
    async (req, reply) => {
      const issued = await authority.renew(req.client!, { csr: req.body?.csr }, { address: req.ip });
      return reply.code(201).send(wire(issued));
    },
  );
}
