/**
 * The console's connections to the Helmlink CA: the CA's pinned HTTPS client (`@helmlink/ca-client`)
 * with the console's settings. Trust bootstrap fetches `/ca/v1/chain` without trusting the TLS peer and takes as
 * root only the certificate whose SHA-256 fingerprint equals the pin the user typed; every later request runs over
 * TLS verified against that root alone (not the system store), with the host name checked, and optionally mutual
 * TLS with the console's certificate. Failures carry the console's codes (ERR_CA_PIN_MISMATCH,
 * ERR_CA_UNREACHABLE, ERR_CA_RESPONSE, or the CA's own code).
 */
import type * as x509 from '@peculiar/x509';
import { CaClient, pemFingerprint } from '@helmlink/ca-client';
import { HelmlinkError, certificateToPem, parseCertificate, parseCertificates } from '@helmlink/protocol';

export interface ClientTls {
  /** PEM private key (kept in main memory only). */
  key: string;
  /** PEM leaf + chain. */
  cert: string;
}

export interface ConsoleCaOptions {
  /** https://host:port of the CA. */
  url: string;
  /** The pinned root fingerprint (lower-case hex), for the bootstrap; ignored when `root` is given. */
  pin?: string;
  /** The pinned root, once known. */
  root?: x509.X509Certificate;
  tls?: ClientTls;
  timeoutMs?: number;
}

const MAX_RESPONSE = 8 * 1024 * 1024;

/** A CA client for one operation (no kept-alive connections), pinned to `root` or, before bootstrap, to `pin`. */
export function consoleCaClient(o: ConsoleCaOptions): CaClient {
  const rootPem = o.root ? certificateToPem(o.root) : undefined;
  const rootFingerprint = rootPem ? pemFingerprint(rootPem) : o.pin;
  if (!rootFingerprint) throw new TypeError('the CA client needs the pinned root or its fingerprint');
  return new CaClient({
    url: o.url,
    rootFingerprint,
    ...(rootPem ? { rootPem } : {}),
    ...(o.tls ? { clientCert: o.tls.cert, clientKey: o.tls.key } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    keepAlive: false,
    maxResponseBytes: MAX_RESPONSE,
    clientErrorCodes: true,
  });
}

/**
 * Fetches the CA chain without trusting the connection and returns the root whose fingerprint is the pin, plus
 * the chain. ERR_CA_PIN_MISMATCH when no self-signed certificate matches.
 */
export async function fetchPinnedRoot(
  ca: CaClient,
): Promise<{ root: x509.X509Certificate; chain: x509.X509Certificate[] }> {
  const pinned = await ca.fetchPinnedChain();
  return {
    root: parseCertificate(pinned.root),
    chain: pinned.chain.length > 0 ? parseCertificates(pinned.chain.join('\n')) : [],
  };
}

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
