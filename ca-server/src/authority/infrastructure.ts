/**
 * Guarded revocations of the certificates the system runs on: the CA's own service certificate, a broker's
 * certificate and the last admin. Revoking one needs `force` and a replacement plan: for the CA service the plan
 * `issue` (a fresh service identity is issued and loaded first), for a broker the serial of another valid broker
 * certificate. The last admin is never revoked through the API (it would leave the admin API without an admin):
 * enroll another admin first. Superseding (a new certificate for the same entity) is itself the replacement and is
 * not guarded; nor is making an already superseded certificate's revocation keyCompromise.
 */
import { HelmlinkError } from '@helmlink/protocol';
import type { CaStore, CertRecord } from '../store/types';
import type { CaConfig } from './files';

/** The kinds of guarded certificates. */
export type InfrastructureKind = 'ca-service' | 'broker' | 'last-admin';

/** The replacement plan of a forced revocation. */
export interface RevocationPlan {
  force?: boolean | undefined;
  /** `issue` (the CA service identity) or the serial of the replacement certificate. */
  replacement?: string | undefined;
}

/** Which guarded certificate `cert` is, if it is in service (valid) and one. */
export function infrastructureKind(
  store: CaStore,
  config: Pick<CaConfig, 'serviceId'>,
  cert: CertRecord,
  now: number,
): InfrastructureKind | undefined {
  if (cert.status !== 'valid') return undefined;
  if (cert.entityId === config.serviceId && cert.roles.includes('ca')) return 'ca-service';
  if (cert.roles.includes('broker')) return 'broker';
  if (cert.roles.includes('admin')) {
    const others = store
      .listCertificates({ role: 'admin', status: 'valid', limit: 2 + 1 })
      .filter((c) => c.serial !== cert.serial && c.notAfter > now && c.notBefore <= now);
    if (others.length === 0) return 'last-admin';
  }
  return undefined;
}

const WORDS: Record<InfrastructureKind, string> = {
  'ca-service': "the CA's own service certificate (HTTPS and CRL publishing)",
  broker: "a broker's certificate (every client connects through it)",
  'last-admin': 'the last admin certificate (the admin API would have no admin left)',
};

/**
 * Checks a revocation of a guarded certificate against its plan. Returns `issue` when the CA service identity must be
 * replaced first; throws ERR_LAST_ADMIN, ERR_REVOCATION_GUARDED (no force) or ERR_REPLACEMENT_INVALID.
 */
export function checkPlan(
  store: CaStore,
  kind: InfrastructureKind,
  cert: CertRecord,
  plan: RevocationPlan,
  now: number,
): 'issue' | undefined {
  const details = { kind, serial: cert.serial, entityId: cert.entityId };
  if (kind === 'last-admin')
    throw new HelmlinkError(
      'ERR_LAST_ADMIN',
      `${cert.entityId} holds ${WORDS[kind]}: enroll another admin first (helmlink ca token --role admin)`,
      { details },
    );
  if (!plan.force)
    throw new HelmlinkError(
      'ERR_REVOCATION_GUARDED',
      `this is ${WORDS[kind]}: repeat with force and a replacement (${kind === 'ca-service' ? '"issue"' : 'the serial of a valid broker certificate'})`,
      { details },
    );
  if (kind === 'ca-service') {
    if (plan.replacement !== 'issue')
      throw new HelmlinkError(
        'ERR_REPLACEMENT_INVALID',
        'the replacement plan for the CA service certificate is "issue": a new service identity is issued and loaded first',
        { details },
      );
    return 'issue';
  }
  const replacement = plan.replacement ? store.getCertificate(plan.replacement) : undefined;
  if (
    !replacement ||
    replacement.serial === cert.serial ||
    replacement.status !== 'valid' ||
    !replacement.roles.includes('broker') ||
    replacement.notAfter <= now
  )
    throw new HelmlinkError(
      'ERR_REPLACEMENT_INVALID',
      'the replacement must be the serial of another valid, unexpired broker certificate (issue it first)',
      { details: { ...details, replacement: plan.replacement ?? null } },
    );
  return undefined;
}
