/**
 * A small HTTPS client for the CA, for the vessel, the console and tools. Trust is pinned: the client first
 * fetches the CA chain, accepts it only when its root's SHA-256 fingerprint equals the configured one, and then
 * talks to the CA with that root as its only trust anchor (standard TLS verification and host name check).
 * Mutual TLS (renew, admin routes) uses the identity given as PEM (the key may be encrypted, with `passphrase`).
 */
import { createHash, X509Certificate } from 'node:crypto';
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import { HelmlinkError, normalizeFingerprint, type Role } from '@helmlink/protocol';

export interface CaClientOptions {
  /** https://host:port of the CA. */
  url: string;
  /** SHA-256 fingerprint of the root certificate (hex, colons allowed). */
  rootFingerprint: string;
  /** The root certificate PEM when already known (skips the first fetch; still checked against the pin). */
  rootPem?: string;
  /** Client identity for mutual TLS: certificate chain PEM and private key PEM (plain or encrypted PKCS#8). */
  clientCert?: string;
  clientKey?: string;
  passphrase?: string;
  /** Per-request timeout in ms. Default 15 s. */
  timeoutMs?: number;
}

export interface IssuedWire {
  serial: string;
  /** Leaf certificate PEM. */
  certificate: string;
  /** Leaf + issuing CA PEM. */
  chain: string;
  /** Root PEM. */
  root: string;
  notAfter: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** SHA-256 of the first certificate in a PEM, lowercase hex. */
export function pemFingerprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

export class CaClient {
  private readonly base: URL;
  private readonly pin: string;
  private rootPem: string | undefined;
  private agent: https.Agent | undefined;

  constructor(private readonly options: CaClientOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'https:') throw new TypeError('the CA URL must be https://');
    this.pin = normalizeFingerprint(options.rootFingerprint);
    this.rootPem = options.rootPem;
  }

  /** The pinned root certificate PEM (fetched once and checked against the fingerprint). */
  async root(): Promise<string> {
    if (this.rootPem && pemFingerprint(this.rootPem) === this.pin) return this.rootPem;
    if (this.rootPem)
      throw new HelmlinkError(
        'ERR_SERVER_UNTRUSTED',
        'the given root certificate does not match the pinned fingerprint',
      );
    // Bootstrap: the chain is fetched without verification and accepted only if its root matches the pin.
    const res = await this.raw('GET', '/ca/v1/chain', undefined, { accept: 'application/json' }, false);
    let root: string | undefined;
    try {
      root = (JSON.parse(res.body.toString('utf8')) as { root?: string }).root;
    } catch {
      root = undefined;
    }
    if (!root || pemFingerprint(root) !== this.pin) {
      throw new HelmlinkError(
        'ERR_SERVER_UNTRUSTED',
        'the CA presented a root certificate that does not match the pinned fingerprint',
      );
    }
    this.rootPem = root;
    return root;
  }

  private async getAgent(): Promise<https.Agent> {
    if (this.agent) return this.agent;
    const ca = await this.root();
    // One secure context for every connection: an encrypted key is decrypted (600,000 PBKDF2 rounds) once.
    const secureContext = createSecureContext({
      ca,
      minVersion: 'TLSv1.2',
      ...(this.options.clientCert ? { cert: this.options.clientCert } : {}),
      ...(this.options.clientKey ? { key: this.options.clientKey } : {}),
      ...(this.options.passphrase ? { passphrase: this.options.passphrase } : {}),
    });
    this.agent = new https.Agent({ keepAlive: true, secureContext, rejectUnauthorized: true });
    return this.agent;
  }

  /** A request with the pinned trust (or, for the bootstrap only, without verification). */
  async raw(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    verified = true,
  ): Promise<RawResponse> {
    const agent = verified
      ? await this.getAgent()
      : new https.Agent({ rejectUnauthorized: false, minVersion: 'TLSv1.2' });
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<RawResponse>((resolve, reject) => {
      const req = https.request(
        new URL(path, this.base),
        {
          method,
          agent,
          headers: {
            ...headers,
            ...(payload
              ? { 'content-type': 'application/json', 'content-length': String(payload.length) }
              : {}),
          },
          timeout: this.options.timeoutMs ?? 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new HelmlinkError('ERR_INTERNAL', 'the CA did not answer in time')),
      );
      req.on('error', (err) => {
        if (!verified) agent.destroy();
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (/CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS_CERT/u.test(code)) {
          reject(
            new HelmlinkError('ERR_SERVER_UNTRUSTED', `TLS verification of the CA failed: ${code}`, {
              cause: err,
            }),
          );
        } else reject(err);
      });
      if (payload) req.write(payload);
      req.end();
    }).finally(() => {
      if (!verified) agent.destroy();
    });
  }

  /** A JSON request; non-2xx answers throw the CA's coded error (HelmlinkError with the server's code). */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body, { accept: 'application/json' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (res.status < 200 || res.status >= 300) {
      const err = (
        parsed as
          { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined
      )?.error;
      const retry = res.headers['retry-after'];
      throw new HelmlinkError(err?.code ?? 'ERR_INTERNAL', err?.message ?? `the CA answered ${res.status}`, {
        details: {
          status: res.status,
          ...(err?.details ?? {}),
          ...(retry ? { retryAfter: Number(retry) } : {}),
        },
      });
    }
    return parsed as T;
  }

  /** POST /ca/v1/enroll */
  enroll(req: { csr: string; token: string }): Promise<IssuedWire> {
    return this.json('POST', '/ca/v1/enroll', req);
  }

  /** POST /ca/v1/renew (mutual TLS with the current certificate) */
  renew(req: { csr?: string } = {}): Promise<IssuedWire> {
    return this.json('POST', '/ca/v1/renew', req.csr ? { csr: req.csr } : {});
  }

  /** GET /ca/v1/crl as DER bytes (or PEM text with `pem`). */
  async crl(format: 'der' | 'pem' = 'der'): Promise<Uint8Array | string> {
    const res = await this.raw('GET', '/ca/v1/crl', undefined, {
      accept: format === 'der' ? 'application/pkix-crl' : 'application/x-pem-file',
    });
    if (res.status !== 200) throw new HelmlinkError('ERR_INTERNAL', `the CA answered ${res.status}`);
    return format === 'der' ? new Uint8Array(res.body) : res.body.toString('utf8');
  }

  /** GET /ca/v1/chain: issuing CA + root PEM. */
  async chain(): Promise<string> {
    return (await this.json<{ chain: string }>('GET', '/ca/v1/chain')).chain;
  }

  /** Admin: POST /ca/v1/tokens */
  createToken(req: {
    entityId: string;
    roles: Role[];
    imo?: string;
    mmsi?: string;
    flag?: string;
    ttlSeconds?: number;
    validityDays?: number;
  }) {
    return this.json<{ token: string; expiresAt: string; entityId: string; roles: Role[] }>(
      'POST',
      '/ca/v1/tokens',
      req,
    );
  }

  /** Admin: GET /ca/v1/certs */
  listCertificates(
    q: {
      role?: Role;
      status?: 'valid' | 'hold' | 'revoked';
      expiringWithinSeconds?: number;
      limit?: number;
    } = {},
  ) {
    const params = new URLSearchParams();
    if (q.role) params.set('role', q.role);
    if (q.status) params.set('status', q.status);
    if (q.expiringWithinSeconds !== undefined) params.set('expiring_within', String(q.expiringWithinSeconds));
    if (q.limit) params.set('limit', String(q.limit));
    const qs = params.toString();
    return this.json<{ certificates: Array<Record<string, unknown>> }>(
      'GET',
      `/ca/v1/certs${qs ? `?${qs}` : ''}`,
    );
  }

  /** Admin: POST /ca/v1/revoke */
  revoke(req: { serial: string; reason: number; description?: string }) {
    return this.json<{ certificate: Record<string, unknown>; crlNumber: number }>(
      'POST',
      '/ca/v1/revoke',
      req,
    );
  }

  /** Admin: POST /ca/v1/release */
  release(req: { serial: string }) {
    return this.json<{ certificate: Record<string, unknown>; crlNumber: number }>(
      'POST',
      '/ca/v1/release',
      req,
    );
  }

  /** Admin: GET /ca/v1/alerts */
  alerts(q: { since?: number; limit?: number } = {}) {
    const params = new URLSearchParams();
    if (q.since !== undefined) params.set('since', String(q.since));
    if (q.limit !== undefined) params.set('limit', String(q.limit));
    const qs = params.toString();
    return this.json<{
      alerts: Array<{
        id: number;
        at: string;
        kind: string;
        severity: string;
        message: string;
        details: Record<string, unknown>;
      }>;
    }>('GET', `/ca/v1/alerts${qs ? `?${qs}` : ''}`);
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}
