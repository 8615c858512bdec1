/** Steps enroll and renew share: the CSR policy check with its audit and alerts, and handing out the result. */
import { isHelmlinkError, type EntityIdentity } from '@helmlink/protocol';
import type { CertRecord } from '../store/types';
import type { AlertKind } from './alerts';
import type { AuthorityContext } from './context';
import { checkCsr, type CheckedCsr } from './csr';
import type { IssuedCertificate } from './types';

const WEAK_KEY_CODES = new Set(['ERR_KEY_WEAK', 'ERR_KEY_UNSUPPORTED', 'ERR_SIG_ALG_WEAK']);

/** The alert kind of a CSR refusal. */
function csrAlertKind(code: string): AlertKind {
  if (code === 'ERR_CSR_SIGNATURE') return 'csr_signature_invalid';
  if (WEAK_KEY_CODES.has(code)) return 'weak_key';
  if (code === 'ERR_CSR_SUBJECT_MISMATCH') return 'subject_mismatch';
  return 'csr_refused';
}

/**
 * {@link checkCsr}; a refusal counts as a failure of `address` and is audited and alerted per address, kind and
 * window (aggregated: failures.ts).
 */
export async function checkCsrAlerting(
  ctx: Pick<AuthorityContext, 'failures'>,
  csr: string,
  identity: EntityIdentity,
  address: string,
): Promise<CheckedCsr> {
  try {
    return await checkCsr(csr, identity);
  } catch (err) {
    if (isHelmlinkError(err)) {
      ctx.failures.fail(address, {
        kind: csrAlertKind(err.code),
        severity: 'warning',
        action: 'csr.refused',
        message: `CSR for ${identity.entityId} from ${address} refused: ${err.code}: ${err.message}`,
        details: { entityId: identity.entityId, code: err.code, message: err.message },
      });
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
