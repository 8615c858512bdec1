/**
 * The authorize step of mTLS routes. In production the verified client certificate comes from the TLS socket
 * (Node checked the chain against this CA at the handshake); tests may supply it through the
 * `clientCertificate` option because `app.inject` has no TLS peer. Either way the authority then validates the
 * path with the current CRL and checks the store.
 */
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { HelmlinkError } from '@helmlink/protocol';

/** Returns the DER of the client certificate of a request, undefined when none was presented. */
export type ClientCertificateSource = (req: FastifyRequest) => Uint8Array | undefined;

/** The production source: the peer certificate of the TLS socket, only when Node authorised it. */
export const tlsClientCertificate: ClientCertificateSource = (req) => {
  const socket = req.raw.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.raw) return undefined;
  if (!socket.authorized) {
    throw new HelmlinkError('ERR_CLIENT_CERT_INVALID', 'the client certificate does not chain to this CA', {
      details: { reason: String(socket.authorizationError ?? 'unauthorized') },
    });
  }
  return new Uint8Array(peer.raw);
};
