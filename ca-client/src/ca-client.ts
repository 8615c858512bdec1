/**
 * A small HTTPS client for the CA, for the vessel, the console and tools. Trust is pinned: the client first
 * fetches the CA chain, accepts it only when its root's SHA-256 fingerprint equals the configured one, and then
 * talks to the CA with that root as its only trust anchor (standard TLS verification and host name check).
 * Mutual TLS (renew, admin routes) uses the identity given as PEM (the key may be encrypted, with `passphrase`).
 * Requests and answers are the shapes of `./wire`, the contract the server's routes are typed with.
 */
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import { HelmlinkError, normalizeFingerprint } from '@helmlink/protocol';
import { pemCertificatesIn, pemFingerprint, pinnedRootOf } from './pin';
import { caError, clientSideError, isSuccess, parseBody } from './responses';
import { exchange, type RawResponse } from './transport';
import {
  CA_MEDIA_TYPES,
  CA_ROUTES,
  type AlertsQuery,
  type AlertsResponse,
  type CertificateResponse,
  type CertListQuery,
  type CertListResponse,
  type CertStatus,
  type ChainResponse,
  type EnrollRequest,
  type HealthResponse,
  type IssuedWire,
  type ReleaseRequest,
  type RenewRequest,
  type RevokeRequest,
  type StatusChangeResponse,
  type TokenRequest,
  type TokenResponse,
} from './wire';
import type { Role } from '@helmlink/protocol';

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

/** The pinned root and every certificate of the CA's chain answer (PEM). */
export interface PinnedChain {
  root: string;
  chain: string[];
}

/** Filter of {@link CaClient.listCertificates} (sent as {@link CertListQuery}). */
export interface CertificateFilter {
  role?: Role;
  status?: CertStatus;
  expiringWithinSeconds?: number;
  limit?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** `?a=1&b=2` of the defined values, or the empty string. */
function queryString(q: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

/** The pinned HTTPS client of the CA; one instance per CA and client identity. */
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
    if (this.rootPem)
      throw this.pinMismatch('the given root certificate does not match the pinned fingerprint');
    return (await this.fetchPinnedChain()).root;
  }

  /**
   * Bootstrap: fetches GET /ca/v1/chain without verifying the connection and accepts it only if its root matches
   * the pin: the answer's `root` field, or, when the answer has none, the self-signed certificate of its chain
   * whose SHA-256 is the pin. Returns that root and every certificate of the answer; later requests trust it.
   */
  async fetchPinnedChain(): Promise<PinnedChain> {
    const res = await this.raw('GET', CA_ROUTES.chain, undefined, { accept: CA_MEDIA_TYPES.json }, false);
    if (this.coded && !isSuccess(res)) throw clientSideError(res, undefined);
    const { parsed, malformed } = parseBody(res);
    if (this.coded && malformed)
      throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA sent malformed JSON', { cause: malformed });
    const chain = pemCertificatesIn(parsed);
    const root = pinnedRootOf(parsed, chain, this.pin);
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
    try {
      return await exchange({
        url: new URL(path, this.base),
        method,
        agent,
        headers,
        payload: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
        timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxResponseBytes: this.options.maxResponseBytes,
        coded: this.coded,
      });
    } finally {
      if (!verified) agent.destroy();
    }
  }

  /** A JSON request; non-2xx answers throw the CA's coded error (HelmlinkError with the server's code). */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body, { accept: CA_MEDIA_TYPES.json });
    const { parsed, malformed } = parseBody(res);
    if (!this.coded) {
      if (!isSuccess(res)) throw caError(res, parsed);
      return parsed as T;
    }
    if (!isSuccess(res)) throw clientSideError(res, parsed);
    if (malformed)
      throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA answered with malformed JSON', { cause: malformed });
    return parsed as T;
  }

  /** GET /health */
  health(): Promise<HealthResponse> {
    return this.json('GET', CA_ROUTES.health);
  }

  /** POST /ca/v1/enroll */
  enroll(req: EnrollRequest): Promise<IssuedWire> {
    return this.json('POST', CA_ROUTES.enroll, req);
  }

  /** POST /ca/v1/renew (mutual TLS with the current certificate) */
  renew(req: RenewRequest = {}): Promise<IssuedWire> {
    const body: RenewRequest = req.csr ? { csr: req.csr } : {};
    return this.json('POST', CA_ROUTES.renew, body);
  }

  /** GET /ca/v1/crl as DER bytes (or PEM text with `pem`). */
  async crl(format: 'der' | 'pem' = 'der'): Promise<Uint8Array | string> {
    const res = await this.raw('GET', CA_ROUTES.crl, undefined, {
      accept: format === 'der' ? CA_MEDIA_TYPES.crl : CA_MEDIA_TYPES.pem,
    });
    if (res.status !== 200) throw new HelmlinkError('ERR_INTERNAL', `the CA answered ${res.status}`);
    return format === 'der' ? new Uint8Array(res.body) : res.body.toString('utf8');
  }

  /** GET /ca/v1/chain: issuing CA + root PEM. */
  async chain(): Promise<string> {
    return (await this.json<ChainResponse>('GET', CA_ROUTES.chain)).chain;
  }

  /** GET /ca/v1/certs/:serial: a certificate with its PEM. */
  certificate(serial: string): Promise<CertificateResponse> {
    return this.json('GET', CA_ROUTES.certificate.replace(':serial', encodeURIComponent(serial)));
  }

  /** Admin: POST /ca/v1/tokens */
  createToken(req: TokenRequest): Promise<TokenResponse> {
    return this.json('POST', CA_ROUTES.tokens, req);
  }

  /** Admin: GET /ca/v1/certs */
  listCertificates(q: CertificateFilter = {}): Promise<CertListResponse> {
    const query: CertListQuery = {
      ...(q.role ? { role: q.role } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.expiringWithinSeconds !== undefined ? { expiring_within: q.expiringWithinSeconds } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
    };
    return this.json('GET', `${CA_ROUTES.certificates}${queryString({ ...query })}`);
  }

  /** Admin: POST /ca/v1/revoke */
  revoke(req: RevokeRequest): Promise<StatusChangeResponse> {
    return this.json('POST', CA_ROUTES.revoke, req);
  }

  /** Admin: POST /ca/v1/release */
  release(req: ReleaseRequest): Promise<StatusChangeResponse> {
    return this.json('POST', CA_ROUTES.release, req);
  }

  /** Admin: GET /ca/v1/alerts */
  alerts(q: AlertsQuery = {}): Promise<AlertsResponse> {
    return this.json('GET', `${CA_ROUTES.alerts}${queryString({ since: q.since, limit: q.limit })}`);
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}
