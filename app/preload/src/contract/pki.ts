/** PKI administration (admin-role identities only; others get ERR_CONSOLE_NOT_ADMIN). */
import { z } from 'zod';
import { channel } from './channel';
import {
  ENROLLABLE_ROLES,
  MARITIME_RULES,
  ROLES,
  SHIP_NAME_RULE,
  isValidFlag,
  isValidImoNumber,
  isValidMmsi,
  isValidShipName,
  maritimeProblem,
  type Role,
} from '@helmlink/protocol/vocabulary';
import {
  emptySchema,
  entityIdSchema,
  revocationReasonSchema,
  serialSchema,
  type IsoTime,
} from './primitives';

export type CertificateStatus = 'valid' | 'revoked' | 'on_hold' | 'expired';

export interface IssuedCertificateView {
  serial: string;
  entityId: string;
  /** The first role (kept for older callers): use {@link IssuedCertificateView.roles}. */
  role: Role;
  /** Every role the certificate carries (a pilot who is also an admin: ['pilot', 'admin']). */
  roles: Role[];
  subject: string;
  status: CertificateStatus;
  notBefore: IsoTime;
  notAfter: IsoTime;
  revokedAt: IsoTime | null;
  reasonCode: number | null;
  reasonDescription: string | null;
  fingerprintSha256: string | null;
}

export interface EnrollmentTokenView {
  /** The one-time token: shown once, never stored by the console. */
  token: string;
  entityId: string;
  role: Role;
  expiresAt: IsoTime;
}

export interface CrlView {
  issuer: string;
  crlNumber: string;
  thisUpdate: IsoTime;
  nextUpdate: IsoTime | null;
  entries: { serial: string; revokedAt: IsoTime; reasonCode: number | null }[];
  fetchedAt: IsoTime;
}

export interface AlertView {
  id: string;
  at: IsoTime;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  details: Record<string, string | number | boolean | null>;
}

// Requests

export const certFilterSchema = z
  .object({
    role: z.enum(ROLES).optional(),
    status: z.enum(['valid', 'revoked', 'on_hold', 'expired']).optional(),
    expiringWithinDays: z.int().min(1).max(3650).optional(),
  })
  .strict();

export const revokeRequestSchema = z
  .object({
    serial: serialSchema,
    reasonCode: revocationReasonSchema,
    description: z.string().max(500).optional(),
  })
  .strict();

export const createTokenRequestSchema = z
  .object({
    entityId: entityIdSchema,
    role: z.enum(ENROLLABLE_ROLES),
    ttlMinutes: z
      .int()
      .min(1)
      .max(60 * 24 * 30)
      .optional(),
    /** The ship's name (vessels), certified next to IMO, MMSI and flag. */
    name: z.string().refine(isValidShipName, SHIP_NAME_RULE).optional(),
    imo: z.string().refine(isValidImoNumber, MARITIME_RULES.imo).optional(),
    mmsi: z.string().refine(isValidMmsi, MARITIME_RULES.mmsi).optional(),
    flag: z.string().refine(isValidFlag, MARITIME_RULES.flag).optional(),
  })
  .strict()
  .superRefine((req, ctx) => {
    // The field rules above each hold; what is left is the MMSI's MID against the flag (the vocabulary's one rule).
    const problem = maritimeProblem(req);
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });

/** PKI admin channels. */
export const pkiChannels = {
  'pki.certs': channel<IssuedCertificateView[]>()('pki.certs', certFilterSchema),
  'pki.revoke': channel<IssuedCertificateView>()('pki.revoke', revokeRequestSchema),
  /** Release a certificateHold (RFC 5280 removeFromCRL). */
  'pki.release': channel<IssuedCertificateView>()('pki.release', z.object({ serial: serialSchema }).strict()),
  'pki.createToken': channel<EnrollmentTokenView>()('pki.createToken', createTokenRequestSchema),
  'pki.crl': channel<CrlView>()('pki.crl', emptySchema),
  'pki.alerts': channel<AlertView[]>()(
    'pki.alerts',
    z
      .object({
        since: z.iso.datetime({ offset: true }).optional(),
        limit: z.int().min(1).max(1000).optional(),
      })
      .strict(),
  ),
} as const;
