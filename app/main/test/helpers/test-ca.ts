/**
 * A minimal HTTPS CA for the console's client tests, built from the protocol's own profile builders
 * (protocol/src/pki/build.ts): `/ca/v1/chain`, `/enroll` (one-time tokens), `/renew` and the admin endpoints over
 * mutual TLS. It exists so the console's pinned client, enrollment, renewal and admin calls run over real TLS with
 * real certificates; the full CA server has its own tests in ca-server/.
 */
import 'reflect-metadata';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as x509 from '@peculiar/x509';
import {
  certificateToPem,
  certificatesToPem,
  crlToPem,
  encodePem,
  exportPkcs8,
  issueEndEntityCertificate,
  parseCsr,
  readIdentity,
  buildCrl,
  type RevocationReasonCode,
  type Clock,
  type Role,
} from '@helmlink/protocol';
import type { TestEntity, TestPki } from '@helmlink/protocol/testing';

export interface IssuedRecord {
  serial: string;
  entityId: string;
  role: Role;
  cert: x509.X509Certificate;
  status: 'valid' | 'revoked' | 'on_hold';
  reason: number | null;
  revokedAt: Date | null;
}

export interface TestCa {
  url: string;
  port: number;
  tokens: Map<string, { entityId: string; role: Role }>;
  issued: IssuedRecord[];
  /** Lifetime of issued certificates, ms. */
  lifetimeMs: number;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
}

/**
 * The admin endpoints (for an authenticated admin client): certificates, revoke/release, tokens, alerts. Returns
 * false when the request is none of them.
 */
async function adminRoute(
  ca: TestCa,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  clock: Clock,
): Promise<boolean> {
  const send = (status: number, body: unknown): true => {
    json(res, status, body);
    return true;
  };
  const view = (r: IssuedRecord) => ({
    serial: r.serial,
    entity_id: r.entityId,
    role: r.role,
    subject: r.cert.subject,
    status: r.status,
    not_before: r.cert.notBefore.toISOString(),
    not_after: r.cert.notAfter.toISOString(),
    revoked_at: r.revokedAt?.toISOString() ?? null,
    reason_code: r.reason,
  });
  if (req.method === 'GET' && url.pathname === '/ca/v1/certs') {
    const role = url.searchParams.get('role');
    return send(200, {
      certificates: ca.issued.filter((r) => !role || r.role === role).map(view),
    });
  }
  if (req.method === 'POST' && (url.pathname === '/ca/v1/revoke' || url.pathname === '/ca/v1/release')) {
    const body = await readBody(req);
    const rec = ca.issued.find((r) => r.serial === String(body.serial));
    if (!rec) return send(404, { code: 'ERR_CERT_NOT_FOUND', message: 'no such certificate' });
    if (url.pathname === '/ca/v1/release') {
      if (rec.status !== 'on_hold')
        return send(409, { code: 'ERR_CERT_NOT_ON_HOLD', message: 'not on hold' });
      Object.assign(rec, { status: 'valid', reason: null, revokedAt: null });
    } else {
      Object.assign(rec, {
        status: body.reason === 6 ? 'on_hold' : 'revoked',
        reason: body.reason,
        revokedAt: new Date(clock()),
      });
    }
    return send(200, { certificate: view(rec) });
  }
  if (req.method === 'POST' && url.pathname === '/ca/v1/tokens') {
    const body = await readBody(req);
    const token = `tok-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    ca.tokens.set(token, {
      entityId: String(body.entityId),
      role: ((body.roles as Role[] | undefined)?.[0] ?? body.role) as Role,
    });
    return send(201, {
      token,
      entity_id: body.entityId,
      role: (body.roles as Role[] | undefined)?.[0] ?? body.role,
      expires_at: new Date(clock() + 3_600_000).toISOString(),
    });
  }
  if (req.method === 'GET' && url.pathname === '/ca/v1/alerts') {
    return send(200, {
      alerts: [
        {
          id: 'a1',
          at: new Date(clock()).toISOString(),
          kind: 'token-reuse',
          severity: 'warning',
          message: 'an enrollment token was reused',
          details: { entityId: 'x' },
        },
      ],
    });
  }
  return false;
}

/** Starts the test CA on 127.0.0.1 with a server certificate (role ca) from the test PKI. */
export async function startTestCa(pki: TestPki, server: TestEntity, clock: Clock): Promise<TestCa> {
  const ca: TestCa = {
    url: '',
    port: 0,
    tokens: new Map(),
    issued: [],
    lifetimeMs: 30 * 86_400_000,
    close: async () => undefined,
  };
  let crlNumber = 100;
  const issue = async (csrPem: string, entityId: string, role: Role) => {
    const csr = parseCsr(csrPem);
    if (!(await csr.verify())) throw Object.assign(new Error('bad CSR'), { code: 'ERR_CSR_SIGNATURE' });
    const cn = csr.subjectName.getField('CN')[0];
    if (cn !== entityId)
      throw Object.assign(new Error('subject mismatch'), { code: 'ERR_CSR_SUBJECT_MISMATCH' });
    const t = clock();
    const cert = await issueEndEntityCertificate({
      identity: { entityId, roles: [role] },
      organization: pki.organization,
      publicKey: await csr.publicKey.export(),
      issuer: pki.issuing,
      notBefore: new Date(t - 60_000),
      notAfter: new Date(t + ca.lifetimeMs),
    });
    ca.issued.push({
      serial: cert.serialNumber.toLowerCase(),
      entityId,
      role,
      cert,
      status: 'valid',
      reason: null,
      revokedAt: null,
    });
    return { certificate: certificateToPem(cert), chain: [certificateToPem(pki.issuing.certificate)] };
  };
  const clientIdentity = (req: IncomingMessage) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    if (!peer?.raw || !(req.socket as TLSSocket).authorized) return null;
    const cert = new x509.X509Certificate(new Uint8Array(peer.raw));
    const rec = ca.issued.find((r) => r.cert.equal(cert));
    if (rec && rec.status !== 'valid') return null;
    return readIdentity(cert);
  };

  const srv: Server = createServer(
    {
      key: encodePem('PRIVATE KEY', await exportPkcs8(server.keys.privateKey)),
      cert: certificatesToPem(server.chain),
      ca: [certificateToPem(pki.root.certificate)],
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'https://ca');
        try {
          if (req.method === 'GET' && url.pathname === '/ca/v1/chain') {
            return json(res, 200, {
              chain: [certificateToPem(pki.issuing.certificate), certificateToPem(pki.root.certificate)],
            });
          }
          if (req.method === 'GET' && url.pathname === '/ca/v1/crl') {
            const crl = await buildCrl({
              issuer: pki.issuing,
              crlNumber: ++crlNumber,
              thisUpdate: new Date(clock() - 60_000),
              nextUpdate: new Date(clock() + 86_400_000),
              entries: ca.issued
                .filter((r) => r.status !== 'valid')
                .map((r) => ({
                  serial: r.serial,
                  revokedAt: r.revokedAt!,
                  reason: (r.reason ?? 0) as RevocationReasonCode,
                })),
            });
            res.writeHead(200, { 'content-type': 'application/pkix-crl' });
            return res.end(crlToPem(crl));
          }
          if (req.method === 'POST' && url.pathname === '/ca/v1/enroll') {
            const body = await readBody(req);
            const t = ca.tokens.get(String(body.token));
            if (!t) return json(res, 401, { code: 'ERR_ENROLL_TOKEN_UNKNOWN', message: 'unknown token' });
            ca.tokens.delete(String(body.token));
            return json(res, 201, await issue(String(body.csr), t.entityId, t.role));
          }
          const who = clientIdentity(req);
          if (!who)
            return json(res, 401, {
              code: 'ERR_CLIENT_CERT_REQUIRED',
              message: 'client certificate required',
            });
          if (req.method === 'POST' && url.pathname === '/ca/v1/renew') {
            const body = await readBody(req);
            return json(res, 201, await issue(String(body.csr), who.entityId, who.roles[0]!));
          }
          if (!who.roles.includes('admin'))
            return json(res, 403, { code: 'ERR_FORBIDDEN', message: 'admin role required' });
          if (await adminRoute(ca, req, res, url, clock)) return;
          return json(res, 404, { code: 'ERR_NOT_FOUND', message: 'no such resource' });
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'ERR_INTERNAL';
          return json(res, 400, { code, message: (err as Error).message });
        }
      })();
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  ca.port = (srv.address() as { port: number }).port;
  ca.url = `https://127.0.0.1:${ca.port}`;
  ca.close = () =>
    new Promise<void>((r) => {
      srv.closeAllConnections();
      srv.close(() => r());
    });
  return ca;
}
