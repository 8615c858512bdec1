/**
 * What the console trusts when it verifies vessels and the broker: the pinned root of its own identity as the only
 * anchor, the issuing CA(s) from its own chain, and the newest verified CRL per issuer (from the retained
 * `helmlink/v1/pki/crl` topic or fetched from the CA). One {@link Trust} with its signer cache is shared by every
 * verification; a newer CRL bumps the generation and so invalidates cached signers.
 */
import 'reflect-metadata';
import type * as x509 from '@peculiar/x509';
import {
  CrlStore,
  SignerCertificates,
  createTrust,
  validatePath,
  type RevocationPolicy,
  type Trust,
} from '@helmlink/protocol';
import { nodeSignatureVerifier } from '@helmlink/protocol/node';
import type { PeerCertificateView, RevocationStatus } from '@helmlink/app-preload';
import { toApiError } from '../core/errors';
import { certificateView } from '../identity/certificate-view';

export interface TrustMaterialOptions {
  root: x509.X509Certificate;
  /** Issuing CAs known from the console's own chain (trusted to sign CRLs for their subjects). */
  issuers: readonly x509.X509Certificate[];
  revocation?: RevocationPolicy;
}

/** The default revocation policy: the signer's CRL is required; a stale CRL is still used for one hour. */
export const DEFAULT_REVOCATION: RevocationPolicy = { mode: 'leaf', staleGraceSeconds: 3600 };

/** Trust anchors, CRLs and the shared verifier trust. */
export class TrustMaterial {
  readonly root: x509.X509Certificate;
  readonly issuers: readonly x509.X509Certificate[];
  readonly crls = new CrlStore();
  readonly revocation: RevocationPolicy;
  readonly trust: Trust;
  /**
   * Vessel certificates validated from verified state tokens: the vessels' acks name theirs by x5t#S256, resolved
   * only here (never fetched) and validated again with the current CRLs.
   */
  readonly signerCertificates = new SignerCertificates();

  constructor(o: TrustMaterialOptions) {
    this.root = o.root;
    this.issuers = o.issuers;
    this.revocation = o.revocation ?? DEFAULT_REVOCATION;
    this.trust = createTrust({
      trustAnchors: [o.root],
      intermediates: o.issuers,
      crls: this.crls,
      revocation: this.revocation,
      // The same check through node:crypto, synchronously: ~60 µs per ES256 signature against ~150 through
      // WebCrypto's thread pool (bench:verify), paid for every state and ack of a fleet.
      signatureVerifier: nodeSignatureVerifier,
    });
  }

  /** Accepts a CRL issued by one of the known issuers (or the root); returns false when it is not newer or unknown. */
  async acceptCrl(crl: x509.X509Crl, now: Date): Promise<boolean> {
    const issuer = [...this.issuers, this.root].find((c) => c.subject === crl.issuer);
    if (!issuer) return false;
    try {
      await this.crls.accept(crl, issuer, {
        time: now,
        staleGraceSeconds: this.revocation.staleGraceSeconds ?? 0,
      });
      return true;
    } catch (err) {
      if (toApiError(err).code === 'ERR_CRL_NOT_NEWER') return false;
      throw err;
    }
  }

  /** The newest verified CRL of `cert`'s issuer (one of the known issuers or the root), if held. */
  crlFor(cert: x509.X509Certificate): x509.X509Crl | undefined {
    const issuer = [...this.issuers, this.root].find((c) => c.subject === cert.issuer);
    return issuer ? this.crls.current(issuer) : undefined;
  }

  /** Validates a peer chain (leaf first) for `purpose` and describes it for the certificate viewer. */
  async describePeer(
    chain: readonly x509.X509Certificate[],
    purpose: 'clientAuth' | 'serverAuth',
    now: Date,
  ): Promise<PeerCertificateView> {
    const [leaf, ...rest] = chain;
    const base = { checkedAt: now.toISOString() };
    if (!leaf)
      return {
        ...base,
        chain: [],
        verified: false,
        revocation: 'unknown',
        error: { code: 'ERR_JOSE_X5C_INVALID', message: 'no certificate' },
      };
    try {
      const path = await validatePath(leaf, {
        trustAnchors: [this.root],
        intermediates: [...rest, ...this.issuers],
        crls: this.crls.crls(),
        time: now,
        purpose,
        revocation: this.revocation,
      });
      return {
        ...base,
        chain: path.chain.map(certificateView),
        verified: true,
        revocation: 'good',
        error: null,
      };
    } catch (err) {
      const error = toApiError(err);
      const revocation: RevocationStatus =
        error.code === 'ERR_CHAIN_REVOKED'
          ? /hold/iu.test(error.detail ?? '')
            ? 'on_hold'
            : 'revoked'
          : 'unknown';
      return { ...base, chain: chain.map(certificateView), verified: false, revocation, error };
    }
  }
}
