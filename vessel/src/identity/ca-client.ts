/**
 * The vessel's view of the CA: the CA's own HTTPS client (`@helmlink/ca-client`, server-free: Node's
 * https + protocol only), pinned by the root fingerprint. Bootstrap fetches the chain and accepts the root only if
 * its SHA-256 equals the configured fingerprint; every other request (the enrollment token, renewal with mutual
 * TLS, the CRL) verifies the server against that root alone. Transport failures become ERR_CA_UNREACHABLE; the CA's
 * own refusals keep their codes (e.g. ERR_ENROLL_TOKEN_USED).
 */
import type * as x509 from '@peculiar/x509';
import { CaClient } from '@helmlink/ca-client';
import {
  HelmlinkError,
  certificatesToPem,
  parseCertificate,
  parseCertificates,
  parseCrlsIndexed,
  type CrlInfo,
} from '@helmlink/protocol';

export interface CaEndpoint {
  /** Base URL, https://host:port */
  url: string;
  /** SHA-256 of the root certificate, lowercase hex. */
  rootFingerprint: string;
  timeoutMs: number;
  /** The pinned root when already known (it is still checked against the fingerprint). */
  root?: x509.X509Certificate;
  /** Client certificate chain and key (PEM) for mutual TLS. */
  clientCertPem?: string;
  clientKeyPem?: string;
}

function client(e: CaEndpoint): CaClient {
  return new CaClient({
    url: e.url,
    rootFingerprint: e.rootFingerprint,
    timeoutMs: e.timeoutMs,
    ...(e.root ? { rootPem: certificatesToPem([e.root]) } : {}),
    ...(e.clientCertPem && e.clientKeyPem ? { clientCert: e.clientCertPem, clientKey: e.clientKeyPem } : {}),
  });
}

async function call<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof HelmlinkError && err.code !== 'ERR_INTERNAL') throw err;
    throw new HelmlinkError('ERR_CA_UNREACHABLE', `${what}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Fetches the CA chain and returns the root whose SHA-256 fingerprint is the pinned one.
 * @throws HelmlinkError ERR_SERVER_UNTRUSTED when the CA serves another root; ERR_CA_UNREACHABLE.
 */
export async function bootstrapRoot(e: CaEndpoint): Promise<x509.X509Certificate> {
  return parseCertificate(await call('GET /ca/v1/chain', () => client(e).root()));
}

/** A certificate chain issued by enroll or renew (leaf first, then the issuing CA). */
export interface IssuedChain {
  chain: x509.X509Certificate[];
}

function issued(wire: { certificate: string; chain: string }): IssuedChain {
  const leaf = parseCertificate(wire.certificate);
  return { chain: [leaf, ...parseCertificates(wire.chain).filter((c) => !c.equal(leaf))] };
}

/** POST /ca/v1/enroll {csr, token} over TLS verified against the pinned root. */
export async function enrollRequest(e: CaEndpoint, csrPem: string, token: string): Promise<IssuedChain> {
  return issued(await call('POST /ca/v1/enroll', () => client(e).enroll({ csr: csrPem, token })));
}

/** POST /ca/v1/renew {csr} with mutual TLS (current certificate and key). */
export async function renewRequest(e: CaEndpoint, csrPem: string): Promise<IssuedChain> {
  if (!e.clientCertPem || !e.clientKeyPem)
    throw new TypeError('renewRequest needs the current certificate and key');
  return issued(await call('POST /ca/v1/renew', () => client(e).renew({ csr: csrPem })));
}

/** GET /ca/v1/crl (the issuing CA's current CRL). */
export async function fetchCrls(e: CaEndpoint): Promise<CrlInfo[]> {
  return parseCrlsIndexed(await call('GET /ca/v1/crl', () => client(e).crl('der')));
}
