/** Which certificates need a special warning before revocation: the pilot's own, the CA's and the broker's. */
import type { IdentityStatus, IssuedCertificateView } from '@helmlink/app-preload';

export type RevokeRisk = 'own' | 'infrastructure' | null;

/** All roles of an issued certificate (`role` alone when an older service lists none). */
export function certRoles(cert: IssuedCertificateView): string[] {
  return cert.roles.length > 0 ? cert.roles : [cert.role];
}

/** `own` when the certificate is the console's own identity, `infrastructure` for the CA or the broker. */
export function revokeRisk(cert: IssuedCertificateView, me: IdentityStatus | null): RevokeRisk {
  const mine = me?.certificate;
  if (
    mine &&
    (mine.serial.toLowerCase() === cert.serial.toLowerCase() ||
      (!!cert.fingerprintSha256 && cert.fingerprintSha256 === mine.fingerprintSha256))
  )
    return 'own';
  if (me?.entityId && me.entityId === cert.entityId) return 'own';
  if (certRoles(cert).some((r) => r === 'ca' || r === 'broker')) return 'infrastructure';
  return null;
}
