/**
 * A small HTTPS client for the CA, for the vessel, the console and tools. Trust is pinned: the client first
 * fetches the CA chain, accepts it only when its root's SHA-256 fingerprint equals the configured one, and then
 * talks to the CA with that root as its only trust anchor (standard TLS verification and host name check).
 * Mutual TLS (renew, admin routes) uses the identity given as PEM (the key may be encrypted, with `passphrase`).
 */
import { createHash, X509Certificate } from 'node:crypto';
import https from 'node:https';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { HelmlinkError, isErrorCode, normalizeFingerprint, type ErrorCode, type Role } from '@helmlink/protocol';
// Type only (erased at run time): the client loads no server code.
import type { TokenRequest } from '../authority/authority';

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
  /** Keep connections alive between requests (close with {@link CaClient.close}). Default true. */
  keepAlive?: boolean;
  /** Largest response body accepted; a larger one fails the request. Default: no limit. */
  maxResponseBytes?: number;
  /**
   * Client-side error codes (the console's): ERR_CA_PIN_MISMATCH for a root that does not match the pin or a
   * failed TLS verification, ERR_CA_UNREACHABLE for network failures and timeouts, ERR_CA_RESPONSE for an answer
   * without a CA error code or with malformed JSON, ERR_INPUT_INVALID for a non-https URL. Default false:
   * ERR_SERVER_UNTRUSTED, the network error as thrown, ERR_INTERNAL, TypeError.
   */
  clientErrorCodes?: boolean;
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
  /** The CA's TLS certificate chain as presented (PEM, leaf first). */
  peerChain: string[];
}

/** The pinned root and every certificate of the CA's chain answer (PEM). */
export interface PinnedChain {
  root: string;
  chain: string[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/gu;
const TLS_FAILURE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/u;

/** Every PEM certificate found in the strings of a parsed JSON value. */
function pemCertificatesIn(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(...(v.match(PEM_CERTIFICATE) ?? []));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

function isSelfSigned(pem: string): boolean {
  const cert = new X509Certificate(pem);
  return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

function peerChainOf(socket: TLSSocket): string[] {
  const out: string[] = [];
  if (typeof socket.getPeerCertificate !== 'function') return out;
  let cert = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(new X509Certificate(cert.raw).toString());
    cert = cert.issuerCertificate;
  }
  return out;
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
  private readonly coded: boolean;

  constructor(private readonly options: CaClientOptions) {
    this.coded = options.clientErrorCodes ?? false;
    this.base = new URL(options.url);
    if (this.base.protocol !== 'https:') {
      if (this.coded) throw new HelmlinkError('ERR_INPUT_INVALID', 'the CA URL must use https');
      throw new TypeError('the CA URL must be https://');
    }
    this.pin = normalizeFingerprint(options.rootFingerprint);
    this.rootPem = options.rootPem;
  }

  private pinMismatch(message: string, details?: Record<string, unknown>): HelmlinkError {
    return new HelmlinkError(this.coded ? 'ERR_CA_PIN_MISMATCH' : 'ERR_SERVER_UNTRUSTED', message, {
      ...(details ? { details } : {}),
    });
  }

  /** The pinned root certificate PEM (fetched once and checked against the fingerprint). */
  async root(): Promise<string> {
    if (this.rootPem && pemFingerprint(this.rootPem) === this.pin) return this.rootPem;
    if (this.rootPem) throw this.pinMismatch('the given root certificate does not match the pinned fingerprint');
    return (await this.fetchPinnedChain()).root;
  }

  /**
   * Bootstrap: fetches GET /ca/v1/chain without verifying the connection and accepts it only if its root matches
   * the pin: the answer's `root` field, or, when the answer has none, the self-signed certificate of its chain
   * whose SHA-256 is the pin. Returns that root and every certificate of the answer; later requests trust it.
   */
  async fetchPinnedChain(): Promise<PinnedChain> {
    const res = await this.raw('GET', '/ca/v1/chain', undefined, { accept: 'application/json' }, false);
    if (this.coded && (res.status < 200 || res.status >= 300)) throw this.responseError(res, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body.toString('utf8'));
    } catch (cause) {
      if (this.coded) throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA sent malformed JSON', { cause });
      parsed = undefined;
    }
    const chain = pemCertificatesIn(parsed);
    const given = (parsed as { root?: unknown } | undefined)?.root;
    const root =
      typeof given === 'string'
        ? given
        : chain.find((c) => pemFingerprint(c) === this.pin && isSelfSigned(c));
    if (!root || pemFingerprint(root) !== this.pin) {
      throw this.coded
        ? this.pinMismatch(`no certificate from ${this.base.origin} has the pinned fingerprint ${this.pin}`, {
            presented: chain.map(pemFingerprint),
          })
        : this.pinMismatch('the CA presented a root certificate that does not match the pinned fingerprint');
    }
    this.rootPem = root;
    return { root, chain };
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
    this.agent = new https.Agent({
      keepAlive: this.options.keepAlive ?? true,
      secureContext,
      rejectUnauthorized: true,
    });
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
          // Read the peer chain now: the socket is detached from the response once it ends.
          const peerChain = res.socket ? peerChainOf(res.socket as TLSSocket) : [];
          const limit = this.options.maxResponseBytes;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (limit !== undefined && size > limit) {
              req.destroy(
                new HelmlinkError(this.coded ? 'ERR_CA_RESPONSE' : 'ERR_INTERNAL', 'the CA response is too large'),
              );
              return;
            }
            chunks.push(c);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              peerChain,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(
          this.coded
            ? new HelmlinkError(
                'ERR_CA_UNREACHABLE',
                `the CA did not answer within ${this.options.timeoutMs ?? 15_000} ms`,
              )
            : new HelmlinkError('ERR_INTERNAL', 'the CA did not answer in time'),
        ),
      );
      req.on('error', (err) => {
        if (!verified) agent.destroy();
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (this.coded) {
          if (err instanceof HelmlinkError) reject(err);
          else
            reject(
              new HelmlinkError(
                TLS_FAILURE.test(code) ? 'ERR_CA_PIN_MISMATCH' : 'ERR_CA_UNREACHABLE',
                `${this.base.origin}: ${err.message}`,
                { cause: err },
              ),
            );
        } else if (/CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS_CERT/u.test(code)) {
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
    let malformed: unknown;
    try {
      parsed = JSON.parse(res.body.toString('utf8'));
    } catch (cause) {
      parsed = undefined;
      malformed = cause ?? new Error('malformed JSON');
    }
    if (this.coded) {
      if (res.status < 200 || res.status >= 300) throw this.responseError(res, parsed);
      if (malformed)
        throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA answered with malformed JSON', { cause: malformed });
      return parsed as T;
    }
    if (res.status < 200 || res.status >= 300) {
      const err = (
        parsed as
          { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined
      )?.error;
      const retry = res.headers['retry-after'];
      // A code this build does not register is kept in the details, never passed on as a code.
      const code = isErrorCode(err?.code) ? err.code : 'ERR_INTERNAL';
      throw new HelmlinkError(code, err?.message ?? `the CA answered ${res.status}`, {
        details: {
          status: res.status,
          ...(err?.code !== undefined && err.code !== code ? { wireCode: err.code } : {}),
          ...(err?.details ?? {}),
          ...(retry ? { retryAfter: Number(retry) } : {}),
        },
      });
    }
    return parsed as T;
  }

  /**
   * A non-2xx answer as a HelmlinkError with client-side codes: the CA's code (`{error: {code, message}}` or
   * `{code, message}`) when it is a registered code, else ERR_CA_RESPONSE (an unregistered one kept as
   * `details.wireCode`).
   */
  private responseError(res: RawResponse, parsed: unknown): HelmlinkError {
    let code: ErrorCode = 'ERR_CA_RESPONSE';
    let wireCode: string | undefined;
    let message = `the CA answered with HTTP ${res.status}`;
    if (parsed === undefined) {
      try {
        parsed = JSON.parse(res.body.toString('utf8'));
      } catch {
        parsed = undefined;
      }
    }
    if (parsed && typeof parsed === 'object') {
      const p = parsed as { code?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } };
      const e = p.error && typeof p.error === 'object' ? p.error : p;
      if (isErrorCode(e.code)) code = e.code;
      else if (typeof e.code === 'string') wireCode = e.code.slice(0, 64);
      if (typeof e.message === 'string') message = e.message;
    }
    return new HelmlinkError(code, message, { details: { status: res.status, ...(wireCode ? { wireCode } : {}) } });
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
  createToken(req: TokenRequest) {
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
