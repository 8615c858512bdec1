/**
 * One HTTPS exchange with the CA: the request, the body read with an optional size limit, the TLS peer chain, and
 * transport failures mapped to coded errors (client-side codes or the legacy ones, see `clientErrorCodes`).
 */
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { HelmlinkError } from '@helmlink/protocol';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The CA's TLS certificate chain as presented (PEM, leaf first). */
  peerChain: string[];
}

export interface Exchange {
  url: URL;
  method: string;
  agent: https.Agent;
  headers: Record<string, string>;
  /** JSON body, already serialised. */
  payload?: Buffer | undefined;
  timeoutMs: number;
  maxResponseBytes?: number | undefined;
  /** Client-side error codes (ERR_CA_UNREACHABLE, ERR_CA_PIN_MISMATCH, ERR_CA_RESPONSE). */
  coded: boolean;
}

const TLS_FAILURE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/u;
const TLS_VERIFY_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS_CERT/u;

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

/** A network or TLS failure as the error the caller sees. */
function transportError(err: Error, x: Exchange): unknown {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (x.coded) {
    if (err instanceof HelmlinkError) return err;
    return new HelmlinkError(
      TLS_FAILURE.test(code) ? 'ERR_CA_PIN_MISMATCH' : 'ERR_CA_UNREACHABLE',
      `${x.url.origin}: ${err.message}`,
      { cause: err },
    );
  }
  if (TLS_VERIFY_FAILURE.test(code))
    return new HelmlinkError('ERR_SERVER_UNTRUSTED', `TLS verification of the CA failed: ${code}`, {
      cause: err,
    });
  return err;
}

/** Failures of a kept-alive connection the CA closed (its keep-alive timeout) as the request went out on it. */
const CLOSED_UNDER_US = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Sends one request and collects the answer. Never throws for an HTTP status: the caller reads `status`. A request
 * that went out on a reused keep-alive connection the CA had just closed, and got no answer at all, is sent once
 * more on a new connection: the CA closes only idle connections, so it never read that request.
 */
export async function exchange(x: Exchange): Promise<RawResponse> {
  try {
    return await exchangeOnce(x);
  } catch (err) {
    if (!(err instanceof ReusedConnectionClosed)) throw err;
    return exchangeOnce(x).catch((again: unknown) => {
      throw again instanceof ReusedConnectionClosed ? transportError(again.cause, x) : again;
    });
  }
}

/** The request met a reused keep-alive connection already closed by the CA, before any answer. */
class ReusedConnectionClosed extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

function exchangeOnce(x: Exchange): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    let answered = false;
    const req = https.request(
      x.url,
      {
        method: x.method,
        agent: x.agent,
        headers: {
          ...x.headers,
          ...(x.payload
            ? { 'content-type': 'application/json', 'content-length': String(x.payload.length) }
            : {}),
        },
        timeout: x.timeoutMs,
      },
      (res) => {
        answered = true;
        // Read the peer chain now: the socket is detached from the response once it ends.
        const peerChain = res.socket ? peerChainOf(res.socket as TLSSocket) : [];
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (x.maxResponseBytes !== undefined && size > x.maxResponseBytes) {
            req.destroy(
              new HelmlinkError(x.coded ? 'ERR_CA_RESPONSE' : 'ERR_INTERNAL', 'the CA response is too large'),
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
        x.coded
          ? new HelmlinkError('ERR_CA_UNREACHABLE', `the CA did not answer within ${x.timeoutMs} ms`)
          : new HelmlinkError('ERR_INTERNAL', 'the CA did not answer in time'),
      ),
    );
    req.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (req.reusedSocket && !answered && CLOSED_UNDER_US.has(code)) reject(new ReusedConnectionClosed(err));
      else reject(transportError(err, x));
    });
    if (x.payload) req.write(x.payload);
    req.end();
  });
}
