/** Authentication of the CA's mTLS clients (renewal and the admin routes). */
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { HelmlinkError, isHelmlinkError, validatePath, type Role } from '@helmlink/protocol';
import type { CertRecord } from '../store/types';
import type { AuthorityContext } from './context';

/**
 * Authenticates a client certificate (DER, from the TLS peer): an RFC 5280 path to this CA's root (signatures,
 * validity, constraints, clientAuth EKU), a record in the store with the same fingerprint, and status valid in the
 * store — the source the CRL is built from, so revocation takes effect here at once. `role` additionally
 * requires that role. Throws ERR_CLIENT_CERT_INVALID (details.reason = the underlying code) or ERR_FORBIDDEN.
 */
export async function authenticateClient(
  ctx: Pick<AuthorityContext, 'root' | 'issuing' | 'clock' | 'failures' | 'store'>,
  der: Uint8Array,
  role?: Role,
  address = 'local',
): Promise<CertRecord> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(der.slice().buffer as ArrayBuffer);
  } catch (cause) {
    ctx.failures.count(address);
    throw new HelmlinkError('ERR_CLIENT_CERT_INVALID', 'the client certificate cannot be parsed', {
      cause,
      details: { reason: 'ERR_CERT_MALFORMED' },
    });
  }
  const refuse = (reason: string, message: string, cause?: unknown): never => {
    ctx.failures.fail(address, {
      kind: 'client_certificate_refused',
      severity: 'warning',
      action: 'client_certificate.refused',
      message: `client certificate ${cert.serialNumber.toLowerCase()} from ${address} refused: ${message}`,
      details: { reason, subject: cert.subject },
    });
    throw new HelmlinkError('ERR_CLIENT_CERT_INVALID', message, { cause, details: { reason } });
  };
  try {
    await validatePath(cert, {
      trustAnchors: [ctx.root],
      intermediates: [ctx.issuing.certificate],
      time: new Date(ctx.clock()),
      purpose: 'clientAuth',
      // Revocation is checked against the store below (the CRL is derived from it).
      revocation: { mode: 'off' },
    });
  } catch (err) {
    if (isHelmlinkError(err)) refuse(err.code, err.message, err);
    throw err;
  }
  const record = ctx.store.getCertificate(cert.serialNumber.toLowerCase());
  const fp = createHash('sha256').update(der).digest('hex');
  if (!record || record.fingerprint !== fp)
    return refuse('ERR_CERT_NOT_FOUND', 'the certificate was not issued by this CA');
  if (record.status !== 'valid')
    refuse('ERR_CHAIN_REVOKED', `the certificate is ${record.status === 'hold' ? 'on hold' : 'revoked'}`);
  if (role && !record.roles.includes(role))
    throw new HelmlinkError('ERR_FORBIDDEN', `this endpoint needs the ${role} role`);
  return record;
}
