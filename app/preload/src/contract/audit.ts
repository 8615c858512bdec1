/** The audit log: every command, ack, state and identity event. */
import { z } from 'zod';
import { channel } from './channel';
import type { StreamChange, VesselLabel } from './commands';
import { entityIdSchema, type IsoTime } from './primitives';

export const AUDIT_KINDS = [
  'command.sent',
  'command.timeout',
  'command.expired',
  'ack.verified',
  'ack.unverified',
  'state.verified',
  'state.unverified',
  'identity.enrolled',
  'identity.imported',
  'identity.renewed',
  'identity.removed',
  'identity.revoked',
  'pki.revoke',
  'pki.release',
  'pki.token',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditEntry {
  id: number;
  /** UTC, ISO 8601 with `Z` (show it with its zone and age). */
  at: IsoTime;
  kind: AuditKind;
  vesselId: string | null;
  /** The vessel with its certified name and IMO number, when the entry concerns one. */
  vessel: VesselLabel | null;
  /** The streams a command switched (against the verified state when sent), by name. */
  streams: StreamChange[] | null;
  commandId: string | null;
  actor: string | null;
  /** applied, rejected, accepted, invalid, timed_out, ok ... */
  verdict: string;
  code: string | null;
  /** The code's standard words. */
  message: string | null;
  /** The vessel's own words for a rejection (the signed ack's `reason_text`), once; null when none. */
  vesselText: string | null;
  /** The signed token (command, ack or state JWS) as sent or received; public, signed data. */
  token: string | null;
  rttMs: number | null;
}

export const auditQuerySchema = z
  .object({
    text: z.string().max(200).optional(),
    vesselId: entityIdSchema.optional(),
    commandId: z.string().max(128).optional(),
    kinds: z.array(z.enum(AUDIT_KINDS)).max(AUDIT_KINDS.length).optional(),
    verdict: z.string().max(32).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.int().min(1).max(1000).optional(),
    offset: z.int().min(0).optional(),
  })
  .strict();
export type AuditQuery = z.input<typeof auditQuerySchema>;

/** Audit channels. */
export const auditChannels = {
  'audit.search': channel<{ entries: AuditEntry[]; total: number }>()('audit.search', auditQuerySchema),
  /** JSON Lines (one AuditEntry per line) of the matching entries, for a download/save. */
  'audit.export': channel<{ filename: string; jsonl: string; count: number }>()(
    'audit.export',
    auditQuerySchema,
  ),
} as const;
