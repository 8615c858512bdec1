/**
 * HTTPS client for the Helmlink CA, pinned to the organisation's root. Trust bootstrap: the first request fetches
 * `/ca/v1/chain` without trusting the TLS peer, and only a self-signed certificate whose SHA-256 fingerprint equals
 * the pin the user typed is taken as the root. Every later request runs over TLS verified against that root alone
 * (not the system store), with the host name checked, and optionally mutual TLS with the console's certificate.
 */
import 'reflect-metadata';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { X509Certificate as NodeX509, createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError, certificateToPem, parseCertificates } from '@helmlink/protocol';

export interface ClientTls {
  /** PEM private key (kept in main memory only). */
  key: string;
  /** PEM leaf + chain. */
  cert: string;
}

export interface CaClientOptions {
  baseUrl: string;
  /** The pinned root; required for every request but {@link fetchPinnedRoot}. */
  root?: x509.X509Certificate;
  tls?: ClientTls;
  timeoutMs?: number;
}

export interface CaResponse {
  status: number;
  contentType: string;
  body: Buffer;
  /** The CA's TLS certificate chain as presented (leaf first). */
  peerChain: string[];
}

const MAX_RESPONSE = 8 * 1024 * 1024;

/** Collects every PEM certificate from a response body that is PEM text or JSON holding PEM strings. */
export function certificatesFromBody(body: Buffer, contentType: string): x509.X509Certificate[] {
  const text = body.toString('utf8');
  const strings: string[] = [];
  if (contentType.includes('json')) {
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    try {
      walk(JSON.parse(text));
    } catch (cause) {
      throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA sent malformed JSON', { cause });
    }
  } else {
    strings.push(text);
  }
  const pem = strings.filter((s) => s.includes('-----BEGIN CERTIFICATE-----')).join('\n');
  if (!pem) return [];
  try {
    return parseCertificates(pem);
  } catch (cause) {
    throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA sent a certificate that cannot be parsed', { cause });
  }
}

const fingerprint = (cert: x509.X509Certificate): string =>
  createHash('sha256').update(new Uint8Array(cert.rawData)).digest('hex');

function peerChainOf(socket: TLSSocket): string[] {
  const out: string[] = [];
  if (typeof socket.getPeerCertificate !== 'function') return out;
  let cert = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(new NodeX509(cert.raw).toString());
    cert = cert.issuerCertificate;
  }
  return out;
}

/** The CA client. */
export class CaClient {
  readonly baseUrl: URL;
  readonly #root: x509.X509Certificate | undefined;
  readonly #tls: ClientTls | undefined;
  readonly #timeoutMs: number;

  constructor(options: CaClientOptions) {
    this.baseUrl = new URL(options.baseUrl);
    if (this.baseUrl.protocol !== 'https:')
      throw new HelmlinkError('ERR_INPUT_INVALID', 'the CA URL must use https');
    this.#root = options.root;
    this.#tls = options.tls;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  /**
   * Fetches the CA chain without trusting the connection and returns the root whose fingerprint is `pin`
   * (lower-case hex), plus the chain. ERR_CA_PIN_MISMATCH when no self-signed certificate matches.
   */
  async fetchPinnedRoot(pin: string): Promise<{ root: x509.X509Certificate; chain: x509.X509Certificate[] }> {
    const res = await this.#send('GET', '/ca/v1/chain', undefined, { insecureBootstrap: true });
    if (res.status !== 200) throw caError(res);
    const certs = certificatesFromBody(res.body, res.contentType);
    const root = certs.find((c) => fingerprint(c) === pin);
    if (!root) {
      throw new HelmlinkError(
        'ERR_CA_PIN_MISMATCH',
        `no certificate from ${this.baseUrl.origin} has the pinned fingerprint ${pin}`,
        {
          details: { presented: certs.map(fingerprint) },
        },
      );
    }
    if (!(await root.isSelfSigned()))
      throw new HelmlinkError('ERR_CA_PIN_MISMATCH', 'the pinned certificate is not a self-signed root');
    return { root, chain: certs };
  }

  /** GET returning the raw response (verified TLS). */
  get(path: string): Promise<CaResponse> {
    return this.#send('GET', path);
  }

  /** JSON request; a non-2xx status becomes a HelmlinkError with the CA's code. */
  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await this.#send(method, path, body === undefined ? undefined : JSON.stringify(body));
    if (res.status < 200 || res.status >= 300) throw caError(res);
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch (cause) {
      throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA answered with malformed JSON', { cause });
    }
  }

  #send(
    method: string,
    path: string,
    body?: string,
    opts: { insecureBootstrap?: boolean } = {},
  ): Promise<CaResponse> {
    const url = new URL(path, this.baseUrl);
    if (url.origin !== this.baseUrl.origin) throw new TypeError('path must stay on the CA origin');
    const options: RequestOptions = {
      method,
      headers: { accept: 'application/json, application/pem-certificate-chain;q=0.9, */*;q=0.5' },
      minVersion: 'TLSv1.2',
      timeout: this.#timeoutMs,
    };
    if (opts.insecureBootstrap) {
      // Only for the bootstrap: what it returns is trusted solely through the pinned fingerprint.
      options.rejectUnauthorized = false;
    } else {
      if (!this.#root) throw new TypeError('the CA client has no pinned root yet');
      options.ca = [certificateToPem(this.#root)];
      options.rejectUnauthorized = true;
      if (this.#tls) {
        options.key = this.#tls.key;
        options.cert = this.#tls.cert;
      }
    }
    if (body !== undefined) {
      options.headers = {
        ...options.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      };
    }
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, options, (res) => {
        // Read the peer chain now: the socket is detached from the response once it ends.
        const peerChain = res.socket ? peerChainOf(res.socket as TLSSocket) : [];
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE) {
            req.destroy(new HelmlinkError('ERR_CA_RESPONSE', 'the CA response is too large'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
            peerChain,
          }),
        );
        res.on('error', reject);
      });
      req.on('timeout', () =>
        req.destroy(
          new HelmlinkError('ERR_CA_UNREACHABLE', `the CA did not answer within ${this.#timeoutMs} ms`),
        ),
      );
      req.on('error', (err) => {
        if (err instanceof HelmlinkError) reject(err);
        else {
          const code = (err as NodeJS.ErrnoException).code ?? '';
          const tlsFailure = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/u.test(code);
          reject(
            new HelmlinkError(
              tlsFailure ? 'ERR_CA_PIN_MISMATCH' : 'ERR_CA_UNREACHABLE',
              `${url.origin}: ${err.message}`,
              { cause: err },
            ),
          );
        }
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}

/** Maps a CA error response (`{code, message}` JSON) to a HelmlinkError. */
function caError(res: CaResponse): HelmlinkError {
  let code = 'ERR_CA_RESPONSE';
  let message = `the CA answered with HTTP ${res.status}`;
  try {
    const parsed = JSON.parse(res.body.toString('utf8')) as {
      code?: unknown;
      message?: unknown;
      error?: { code?: unknown; message?: unknown };
    };
    const e = parsed.error && typeof parsed.error === 'object' ? parsed.error : parsed;
    if (typeof e.code === 'string' && /^ERR_[A-Z0-9_]+$/u.test(e.code)) code = e.code;
    if (typeof e.message === 'string') message = e.message;
  } catch {
    // Not JSON: keep the generic code.
  }
  return new HelmlinkError(code, message, { details: { status: res.status } });
}
