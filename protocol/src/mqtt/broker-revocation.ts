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
import type { PeerCheck } from './types';

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
  return (chain) => {
    for (const der of chain) {
      const cert = new x509.X509Certificate(der);
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
