/**
 * The broker's certificate checked against the current CRLs (issue 13: infrastructure certificates are checked
 * too). TLS already validated the presented chain to the pinned root; this adds revocation, which Node's TLS layer
 * cannot see because the CRLs live in the application (fetched over HTTPS, taken from the retained CRL topic).
 * Synchronous, so it runs inside the handshake (`checkPeer`), before the session reads a byte from the broker.
 */
import '../reflect';
import * as x509 from '@peculiar/x509';
import { HelmlinkError } from '../errors';
import { crlInfo, lookupEntry, type CrlInput } from '../pki/crl';
import { certInfo } from '../pki/extensions';
import { bytesToBase64 } from '../pki/pem';
import type { PeerCheck } from './types';

/** Parsed broker certificates kept per check (a chain or two: the broker's, and its next one after a renewal). */
const MAX_PARSED = 8;

/**
 * The current, already verified CRL of a certificate's issuer (an X509Crl or the one-pass parser's view), or
 * undefined when none is held.
 */
export type CrlLookup = (cert: x509.X509Certificate) => CrlInput | undefined;

/**
 * A `checkPeer` refusing a broker whose certificate (or an intermediate of its chain) is listed on the CRL held for
 * its issuer (revoked or on hold): ERR_BROKER_REVOKED. Without a CRL for the issuer nothing is refused here (the
 * CRL's freshness is the listener's concern, which alerts on a stale or missing CRL).
 */
export function brokerRevocationCheck(crlFor: CrlLookup): PeerCheck {
  // The broker presents the same chain in every handshake: parsed once (~0.5 ms per certificate), not per connect.
  const parsed = new Map<string, x509.X509Certificate>();
  const certificateOf = (der: Uint8Array<ArrayBuffer>): x509.X509Certificate => {
    const key = bytesToBase64(der);
    let cert = parsed.get(key);
    if (!cert) {
      cert = new x509.X509Certificate(der);
      if (parsed.size >= MAX_PARSED) parsed.clear();
      parsed.set(key, cert);
    }
    return cert;
  };
  return (chain) => {
    for (const der of chain) {
      const cert = certificateOf(der);
      // A self-signed certificate is a trust anchor: the pinned root is on no CRL.
      if (cert.subject === cert.issuer) continue;
      const crl = crlFor(cert);
      // Listed (revoked or on hold), unless released by removeFromCRL; the serial compared by value.
      const entry = crl && lookupEntry(crlInfo(crl), certInfo(cert).serial);
      if (entry) {
        throw new HelmlinkError(
          'ERR_BROKER_REVOKED',
          `the broker's certificate ${cert.subject} (serial ${cert.serialNumber}) is revoked (${entry.reason})`,
          { details: { serial: cert.serialNumber, subject: cert.subject } },
        );
      }
    }
  };
}
