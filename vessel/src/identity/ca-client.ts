/**
 * A minimal HTTPS client for the CA server, pinned by the root fingerprint. Written here (not imported from
 * ca-server/) so the vessel never loads server code.
 *
 * Bootstrap: the chain is fetched once without TLS verification, and the certificate whose SHA-256 equals the
 * configured fingerprint becomes the only anchor; nothing secret is sent on that first connection. Every other
 * request (the enrollment token, renewal, CRL) verifies the server against that root only.
 */
import { request } from 'node:https';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError, certificateFingerprint, certificatesToPem, parseCertificates, parseCrls } from '@helmlink/protocol';

export interface CaClientOptions {
  /** Base URL, https://host:port */
  url: string;
  timeoutMs: number;
  /** The pinned root (after bootstrap). */
  root?: x509.X509Certificate;
  /** Client certificate (PEM chain) and key (PEM) for mutual TLS. */
  clientCertPem?: string;
  clientKeyPem?: string;
}

interface HttpResult {
  status: number;
  body: Buffer;
  contentType: string;
}

function send(options: CaClientOptions, method: 'GET' | 'POST', path: string, body: unknown, verify: boolean, accept = 'application/json'): Promise<HttpResult> {
  const url = new URL(path, options.url);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: {
          accept,
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
        },
        timeout: options.timeoutMs,
        minVersion: 'TLSv1.2',
        rejectUnauthorized: verify,
        ...(verify && options.root ? { ca: certificatesToPem([options.root]) } : {}),
        ...(options.clientCertPem && options.clientKeyPem ? { cert: options.clientCertPem, key: options.clientKeyPem } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 8 * 1024 * 1024) req.destroy(new Error('response too large'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), contentType: String(res.headers['content-type'] ?? '') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${options.timeoutMs} ms`)));
    req.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/u.test(code)) {
        reject(new HelmlinkError('ERR_SERVER_UNTRUSTED', `${url.origin}: ${err.message}`, { cause: err }));
      } else {
        reject(new HelmlinkError('ERR_CA_UNREACHABLE', `${method} ${url.href}: ${err.message}`, { cause: err }));
      }
    });
    if (payload) req.write(payload);
    req.end();
  });
}

function errorFrom(result: HttpResult, what: string): HelmlinkError {
  let code = 'ERR_CA_UNREACHABLE';
  let message = `${what}: HTTP ${result.status}`;
  try {
    const json = JSON.parse(result.body.toString('utf8')) as { code?: unknown; error?: { code?: unknown; message?: unknown }; message?: unknown };
    const c = json.code ?? json.error?.code;
    const m = json.message ?? json.error?.message;
    if (typeof c === 'string' && /^ERR_[A-Z0-9_]+$/u.test(c)) code = c;
    if (typeof m === 'string') message = `${what}: ${m}`;
  } catch {
    // not JSON: keep the status line
  }
  return new HelmlinkError(code, message, { details: { status: result.status } });
}

function json(result: HttpResult, what: string): Record<string, unknown> {
  if (result.status < 200 || result.status >= 300) throw errorFrom(result, what);
  try {
    return JSON.parse(result.body.toString('utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new HelmlinkError('ERR_CA_UNREACHABLE', `${what}: the answer is not JSON`, { cause });
  }
}

/** Reads certificates from a JSON answer: a PEM string or an array of PEM/base64 strings, under any of `keys`. */
function certsFrom(body: Record<string, unknown>, keys: string[]): x509.X509Certificate[] {
  const out: x509.X509Certificate[] = [];
  for (const k of keys) {
    const v = body[k];
    const items = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
    for (const item of items) {
      if (typeof item !== 'string') continue;
      out.push(...parseCertificates(item.includes('-----BEGIN') ? item : Buffer.from(item, 'base64')));
    }
  }
  return out;
}

/** Certificates of the CA chain in the answer of GET /ca/v1/chain (JSON or PEM). */
function chainFrom(result: HttpResult): x509.X509Certificate[] {
  if (result.status < 200 || result.status >= 300) throw errorFrom(result, 'GET /ca/v1/chain');
  const text = result.body.toString('utf8');
  // A JSON answer also contains PEM text (inside strings): only a body that is not JSON is read as PEM.
  if (!text.trimStart().startsWith('{') && text.includes('-----BEGIN CERTIFICATE')) return parseCertificates(text);
  return certsFrom(json(result, 'GET /ca/v1/chain'), ['chain', 'certificates', 'root', 'issuing', 'pem']);
}

/**
 * Fetches the CA chain and returns the root whose SHA-256 fingerprint is `fingerprint` (lowercase hex).
 * @throws HelmlinkError ERR_SERVER_UNTRUSTED when no certificate of the chain has that fingerprint.
 */
export async function bootstrapRoot(url: string, fingerprint: string, timeoutMs: number): Promise<x509.X509Certificate> {
  const chain = chainFrom(await send({ url, timeoutMs }, 'GET', '/ca/v1/chain', undefined, false, 'application/json, application/pem-certificate-chain'));
  for (const cert of chain) {
    if ((await certificateFingerprint(cert)) === fingerprint) return cert;
  }
  throw new HelmlinkError('ERR_SERVER_UNTRUSTED', `the CA at ${url} does not serve a root with fingerprint ${fingerprint}`);
}

/** The issued certificate and chain of an enroll or renew answer (leaf first). */
export interface IssuedChain {
  chain: x509.X509Certificate[];
}

function issuedFrom(body: Record<string, unknown>, what: string): IssuedChain {
  const leaf = certsFrom(body, ['certificate', 'cert']);
  const rest = certsFrom(body, ['chain', 'intermediates']);
  const chain = leaf.length > 0 ? [leaf[0]!, ...rest.filter((c) => !c.equal(leaf[0]!))] : rest;
  if (chain.length === 0) throw new HelmlinkError('ERR_CA_UNREACHABLE', `${what}: no certificate in the answer`);
  return { chain };
}

/** POST /ca/v1/enroll {csr, token} over TLS verified against the pinned root. */
export async function enrollRequest(options: CaClientOptions, csrPem: string, token: string): Promise<IssuedChain> {
  if (!options.root) throw new TypeError('enrollRequest needs the pinned root');
  return issuedFrom(json(await send(options, 'POST', '/ca/v1/enroll', { csr: csrPem, token }, true), 'POST /ca/v1/enroll'), 'enroll');
}

/** POST /ca/v1/renew {csr} with mutual TLS (current certificate and key). */
export async function renewRequest(options: CaClientOptions, csrPem: string): Promise<IssuedChain> {
  if (!options.root || !options.clientCertPem || !options.clientKeyPem) throw new TypeError('renewRequest needs the pinned root and a client certificate');
  return issuedFrom(json(await send(options, 'POST', '/ca/v1/renew', { csr: csrPem }, true), 'POST /ca/v1/renew'), 'renew');
}

/** GET /ca/v1/crl (PEM). Returns every CRL in the answer (the issuing CA's, and the root's when served). */
export async function fetchCrls(options: CaClientOptions): Promise<x509.X509Crl[]> {
  if (!options.root) throw new TypeError('fetchCrls needs the pinned root');
  const result = await send(options, 'GET', '/ca/v1/crl', undefined, true, 'application/pkix-crl, application/x-pem-file');
  if (result.status < 200 || result.status >= 300) throw errorFrom(result, 'GET /ca/v1/crl');
  const text = result.body.toString('utf8');
  return parseCrls(text.includes('-----BEGIN') ? text : new Uint8Array(result.body));
}
