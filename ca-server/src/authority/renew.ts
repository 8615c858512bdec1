/** Renewal: an authenticated client gets a new certificate for the same subject and lifetime. */
import * as x509 from '@peculiar/x509';
import { readIdentity } from '@helmlink/protocol';
import type { CertRecord } from '../store/types';
import type { AuthorityContext } from './context';
import { DAY_MS, issueRecord } from './issue';
import { checkCsrAlerting, handOut } from './issuance';
import { assertIssuable } from './lineage';
import type { IssuedCertificate, RequestContext } from './types';

/**
 * Renews the certificate of an authenticated client (see `authenticateClient`). With a CSR the key is replaced
 * (same subject); without, the same public key is certified again.
 */
export async function renew(
  ctx: AuthorityContext,
  client: CertRecord,
  req: { csr?: string | undefined },
  request: RequestContext = {},
): Promise<IssuedCertificate> {
  const address = request.address ?? 'local';
  ctx.checkRate('renew', 'perIdentity', client.entityId);
  const now = new Date(ctx.clock());
  const old = new x509.X509Certificate(client.der.slice().buffer as ArrayBuffer);
  const identity = { ...readIdentity(old), roles: client.roles };
  delete identity.organization;
  const publicKey = req.csr
    ? (await checkCsrAlerting(ctx, req.csr, identity, address)).spki
    : new Uint8Array(old.publicKey.rawData);
  const validityDays = Math.max(1, Math.round((client.notAfter - client.notBefore) / DAY_MS));
  const { pem, record } = await issueRecord({
    identity,
    publicKey,
    issuer: ctx.issuing,
    now,
    validityDays,
    organization: ctx.config.organization,
    renewedFrom: client.serial,
  });
  await ctx.commit(() => {
    assertIssuable(ctx.store, record, now.getTime());
    ctx.store.insertCertificate(record);
    ctx.store.appendAudit({
      ts: now.getTime(),
      actor: client.entityId,
      action: 'certificate.renew',
      details: {
        serial: record.serial,
        renewedFrom: client.serial,
        entityId: record.entityId,
        rekey: Boolean(req.csr),
        fingerprint: record.fingerprint,
        address,
      },
    });
  });
  // The renewal supersedes its predecessor (revoked, reason superseded, in the same transaction): a stolen
  // certificate cannot renew alongside its owner, and the CRL says so before the answer.
  await ctx.crls.reissue();
  return handOut(ctx, record, pem);
}
