/**
 * The embedded MQTT 3.1.1 broker (aedes) for machines without Mosquitto. It enforces the policy the generated
 * Mosquitto config enforces:
 * - TLS ≥ 1.2 with a client certificate required and verified against the fleet's CA certificates
 *   (`require_certificate true`);
 * - the client's identity is its certificate CN, whatever username it sends (`use_identity_as_username true`);
 *   no anonymous access (`allow_anonymous false`);
 * - a certificate listed on a CRL is refused (`crlfile`), and — unlike Mosquitto's SIGHUP — {@link EmbeddedBroker.update}
 *   also cuts sessions that are already open for a newly revoked certificate; as with OpenSSL's CRL check, a client
 *   whose issuer has no CRL, or only one past its nextUpdate, is refused too (fail closed); CRLs must verify
 *   against one of the CA certificates;
 * - publish/subscribe rights from `protocol/src/acl.ts` over the same subject list the ACL file is rendered from.
 *
 * Differences that follow from MQTT 3.1.1: a forbidden PUBLISH closes the connection (there is no reason code to
 * return), and a forbidden SUBSCRIBE is answered with the failure return code 0x80.
 */
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import type * as x509 from '@peculiar/x509';
import {
  HelmlinkError,
  systemClock,
  parseCertificate,
  parseCertificates,
  parseCrls,
  readIdentity,
  type AclSubject,
  type Clock,
} from '@helmlink/protocol';
import { createTopicAuthorizer } from './authorizer';

export interface EmbeddedBrokerOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Server certificate chain (PEM, leaf first) and its private key (PEM). */
  cert: string;
  key: string;
  /** CA certificates (PEM) that client certificates must chain to. */
  ca: string;
  /** Current CRLs (PEM, `X509 CRL`); certificates listed there are refused. */
  crl?: string;
  /** The identities and roles the ACL is generated from (same list as `renderMosquittoAcl`). */
  subjects: readonly AclSubject[];
  /** Lowest TLS version accepted (default TLSv1.2, like the generated Mosquitto config). */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Called for refused connections and authorisation failures (default: ignore). */
  onEvent?: (event: EmbeddedBrokerEvent) => void;
  /** Clock for CRL freshness, epoch ms (default Date.now). */
  clock?: Clock;
}

/** Something the broker refused or cut, for logs. */
export interface EmbeddedBrokerEvent {
  kind:
    'tls-refused' | 'revoked-refused' | 'revoked-cut' | 'crl-refused' | 'publish-denied' | 'subscribe-denied';
  entityId?: string;
  topic?: string;
  detail?: string;
}

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  /** mqtts://host:port */
  readonly url: string;
  /** Entity ids of the connected MQTT clients. */
  connectedIdentities(): string[];
  /**
   * Applies a CA change: new CRL and/or subjects. Open sessions of certificates now revoked are closed.
   * Returns the entity ids whose sessions were cut. Rejects with ERR_CRL_INVALID (nothing changed) when a CRL
   * does not verify against the CA certificates.
   */
  update(change: { crl?: string; subjects?: readonly AclSubject[] }): Promise<string[]>;
  close(): Promise<void>;
}

interface Peer {
  entityId: string;
  serial: string;
  issuer: string;
}

/** Why a peer must be refused by the CRL check, or undefined when it may connect. */
function crlVerdict(
  crls: readonly x509.X509Crl[],
  peer: Peer,
  now: number,
): 'revoked' | 'no-crl' | 'crl-expired' | undefined {
  const own = crls.filter((crl) => crl.issuer === peer.issuer);
  if (own.length === 0) return 'no-crl';
  if (own.some((crl) => crl.entries.some((e) => e.serialNumber.toLowerCase() === peer.serial)))
    return 'revoked';
  if (!own.some((crl) => !crl.nextUpdate || crl.nextUpdate.getTime() >= now)) return 'crl-expired';
  return undefined;
}

/** Parses CRLs and checks each one's signature against the CA certificate that issued it. */
async function verifiedCrls(pem: string, cas: readonly x509.X509Certificate[]): Promise<x509.X509Crl[]> {
  const crls = parseCrls(pem);
  for (const crl of crls) {
    const issuer = cas.find((c) => c.subject === crl.issuer);
    if (!issuer || !(await crl.verify({ publicKey: issuer.publicKey }))) {
      throw new HelmlinkError(
        'ERR_CRL_INVALID',
        `the CRL of ${crl.issuer} does not verify against the broker's CA certificates`,
      );
    }
  }
  return crls;
}

/**
 * Aedes' access hooks: a client is its certificate's identity (the username it sends is ignored; no certificate, no
 * session), and every publish and subscribe is checked against the CA's topic ACL.
 */
function accessHandlers(
  peerOf: (client: Client | null) => Peer | undefined,
  authorizer: ReturnType<typeof createTopicAuthorizer>,
  notify: (event: EmbeddedBrokerEvent) => void,
): AedesOptions {
  return {
    // The username a client sends is ignored: its identity is the certificate CN (checked at the TLS layer).
    authenticate(client, _username, _password, done) {
      const peer = peerOf(client);
      if (!peer) {
        const err = Object.assign(new Error('no client certificate'), { returnCode: 5 as const });
        done(err as never, false);
        return;
      }
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const peer = peerOf(client);
      if (!peer || !authorizer.allows(peer.entityId, 'write', packet.topic)) {
        notify({ kind: 'publish-denied', ...(peer ? { entityId: peer.entityId } : {}), topic: packet.topic });
        done(new Error('not authorised'));
        return;
      }
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      const peer = peerOf(client);
      if (!peer || !authorizer.allows(peer.entityId, 'read', sub.topic)) {
        notify({ kind: 'subscribe-denied', ...(peer ? { entityId: peer.entityId } : {}), topic: sub.topic });
        done(null, null);
        return;
      }
      done(null, sub);
    },
  };
}

/** Starts the embedded broker; resolves once it listens. */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const notify = options.onEvent ?? (() => undefined);
  const authorizer = createTopicAuthorizer(options.subjects);
  const clock = options.clock ?? systemClock;
  const cas = parseCertificates(options.ca);
  let crls = options.crl ? await verifiedCrls(options.crl, cas) : [];
  const checkCrl = options.crl !== undefined;
  const peers = new WeakMap<object, Peer>();
  const sockets = new Set<TLSSocket>();

  const peerOf = (client: Client | null): Peer | undefined => (client ? peers.get(client.conn) : undefined);

  const aedes = await Aedes.createBroker(accessHandlers(peerOf, authorizer, notify));

  const server: Server = createServer(
    {
      cert: options.cert,
      key: options.key,
      ca: options.ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: options.minVersion ?? 'TLSv1.2',
    },
    (socket: TLSSocket) => {
      let peer: Peer;
      try {
        const der = socket.getPeerX509Certificate()?.raw;
        if (!der) throw new Error('no client certificate');
        const cert = parseCertificate(new Uint8Array(der));
        const cn = readIdentity(cert).entityId;
        peer = { entityId: cn, serial: cert.serialNumber.toLowerCase(), issuer: cert.issuer };
      } catch (err) {
        notify({ kind: 'tls-refused', detail: (err as Error).message });
        socket.destroy();
        return;
      }
      const verdict = checkCrl ? crlVerdict(crls, peer, clock()) : undefined;
      if (verdict) {
        notify({
          kind: verdict === 'revoked' ? 'revoked-refused' : 'crl-refused',
          entityId: peer.entityId,
          detail: verdict,
        });
        socket.destroy();
        return;
      }
      peers.set(socket, peer);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      aedes.handle(socket as unknown as Socket);
    },
  );
  server.on('tlsClientError', (err) => notify({ kind: 'tls-refused', detail: err.message }));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        err.code === 'EADDRINUSE'
          ? new HelmlinkError(
              'ERR_PORT_IN_USE',
              `port ${options.port} on ${host} for the embedded MQTT broker is already in use`,
            )
          : new HelmlinkError(
              'ERR_BROKER_START',
              `the embedded MQTT broker cannot listen on ${host}:${options.port}: ${err.message}`,
            ),
      );
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    host,
    port,
    url: `mqtts://${host}:${port}`,
    connectedIdentities() {
      return [...sockets].map((s) => peers.get(s)?.entityId).filter((id): id is string => id !== undefined);
    },
    async update(change) {
      const next = change.crl !== undefined ? await verifiedCrls(change.crl, cas) : crls;
      if (change.subjects) authorizer.update(change.subjects);
      crls = next;
      const cut: string[] = [];
      for (const socket of sockets) {
        const peer = peers.get(socket);
        if (peer && checkCrl && crlVerdict(crls, peer, clock()) === 'revoked') {
          cut.push(peer.entityId);
          notify({ kind: 'revoked-cut', entityId: peer.entityId });
          socket.destroy();
        }
      }
      return cut;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
