/** Steps enroll and renew share: the CSR policy check with its audit and alerts, and handing out the result. */
import { isHelmlinkError, type EntityIdentity } from '@helmlink/protocol';
import type { CertRecord } from '../store/types';
import type { AuthorityContext } from './context';
import { checkCsr, type CheckedCsr } from './csr';
import type { IssuedCertificate } from './types';

const WEAK_KEY_CODES = new Set(['ERR_KEY_WEAK', 'ERR_KEY_UNSUPPORTED', 'ERR_SIG_ALG_WEAK']);

/** {@link checkCsr}; a refusal is audited and the ones that suggest an attack or a broken client are alerted. */
export async function checkCsrAlerting(
  ctx: Pick<AuthorityContext, 'audit' | 'alerts'>,
  csr: string,
  identity: EntityIdentity,
  address: string,
): Promise<CheckedCsr> {
  try {
    return await checkCsr(csr, identity);
  } catch (err) {
    if (isHelmlinkError(err)) {
      const d = { address, entityId: identity.entityId, code: err.code, message: err.message };
      ctx.audit(address, 'csr.refused', d);
      if (err.code === 'ERR_CSR_SIGNATURE')
        ctx.alerts.raise(
          'csr_signature_invalid',
          'warning',
          `CSR with an invalid signature for ${identity.entityId} from ${address}`,
          d,
        );
      if (WEAK_KEY_CODES.has(err.code)) {
        ctx.alerts.raise(
          'weak_key',
          'warning',
          `CSR with a refused key or algorithm for ${identity.entityId} from ${address}: ${err.message}`,
          d,
        );
      }
      if (err.code === 'ERR_CSR_SUBJECT_MISMATCH')
        ctx.alerts.raise(
          'subject_mismatch',
          'warning',
          `CSR subject mismatch for ${identity.entityId} from ${address}`,
          d,
        );
    }
    throw err;
  }
}

/** Notifies the issue listeners of a committed certificate and builds the answer (leaf, chain, root). */
export function handOut(
  ctx: Pick<AuthorityContext, 'issueListeners' | 'issuingPem' | 'rootPem'>,
  record: CertRecord,
  certificatePem: string,
): IssuedCertificate {
  for (const listener of ctx.issueListeners) {
    try {
      listener(record);
    } catch {
      // A listener never fails an issuance that is already committed.
    }
  }
  return {
    serial: record.serial,
    certificatePem,
    chainPem: `${certificatePem}${ctx.issuingPem()}`,
    rootPem: ctx.rootPem(),
    notAfter: new Date(record.notAfter).toISOString(),
  };
}
