/**
 * What the TLS handshake of a session showed: protocol, cipher and the broker's certificate chain as presented
 * (leaf first, DER). The console shows it; checking the broker's certificate against the CRL needs it too.
 */
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

export interface TlsPeerInfo {
  /** e.g. "TLSv1.3"; null when the stream is not TLS. */
  protocol: string | null;
  cipher: string | null;
  /** The peer's certificates as presented, leaf first (DER), each once. */
  peerChain: Uint8Array<ArrayBuffer>[];
}

/**
 * Reads the TLS details of a connected socket (an empty description for anything else). `seen`: the chain already
 * read during this connection's handshake, which spares asking the TLS layer for the whole chain again.
 */
export function describeTlsPeer(stream: unknown, seen?: Uint8Array<ArrayBuffer>[]): TlsPeerInfo {
  const socket = stream as Partial<TLSSocket> | undefined;
  const peerChain =
    seen ??
    (typeof socket?.getPeerCertificate === 'function' ? peerChainOf(socket.getPeerCertificate(true)) : []);
  return {
    protocol: typeof socket?.getProtocol === 'function' ? (socket.getProtocol() ?? null) : null,
    cipher: typeof socket?.getCipher === 'function' ? (socket.getCipher()?.name ?? null) : null,
    peerChain,
  };
}

/** Turns off Nagle on the session's socket: with delayed ACKs it would add ~40 ms to every small publish. */
export function setNoDelay(stream: unknown): void {
  (stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
}

/** The certificates of a peer as Node's TLS layer describes them (leaf first, DER), each once. */
export function peerChainOf(peer: DetailedPeerCertificate | undefined): Uint8Array<ArrayBuffer>[] {
  const chain: Uint8Array<ArrayBuffer>[] = [];
  const seen = new Set<string>();
  let c: DetailedPeerCertificate | undefined = peer;
  // The issuer link of a self-signed root points at itself: stop at the first repeat.
  while (c?.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    chain.push(new Uint8Array(c.raw));
    c = c.issuerCertificate;
  }
  return chain;
}
