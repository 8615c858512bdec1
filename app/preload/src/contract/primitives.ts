/**
 * Shared primitives of the contract: version, identifier and address schemas. Roles, algorithms, revocation reasons
 * and the entity-id and maritime rules are the protocol vocabulary's (`@helmlink/protocol/vocabulary`).
 */
import { z } from 'zod';
import {
  ENTITY_ID_PATTERN,
  ENTITY_ID_RULE,
  REVOCATION_REASON_LIST,
  type RevocationReasonCode,
} from '@helmlink/protocol/vocabulary';

/** Contract version; bumped only on an incompatible change (never planned). */
export const CONTRACT_VERSION = 1;

/** The entity-id rule of the CA (protocol vocabulary), so the console never submits an id the CA refuses. */
export const entityIdSchema = z.string().regex(ENTITY_ID_PATTERN, ENTITY_ID_RULE);

/** An IPv4 multicast group and port, `239.192.0.4:60004` (the stream address of the command spec). */
export const streamAddressSchema = z
  .string()
  .regex(
    /^(22[4-9]|23\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d):([1-9]\d{0,4})$/u,
    'must be an IPv4 multicast group and port (group:port)',
  )
  .refine((s) => Number(s.split(':')[1]) <= 65535, 'port must be 1-65535');

/** SHA-256 fingerprint, 64 hex digits, colons and case tolerated (normalised by the main side). */
export const fingerprintSchema = z
  .string()
  .transform((s) => s.replace(/[:\s]/gu, '').toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/u, 'must be a SHA-256 fingerprint (64 hex digits)'));

/** Certificate serial number, hex. */
export const serialSchema = z.string().regex(/^[0-9a-fA-F]{1,64}$/u, 'must be a hex serial number');

export const httpsUrlSchema = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'must be an https:// URL');
export const brokerUrlSchema = z
  .string()
  .url()
  .refine((u) => /^(mqtts|wss):\/\//u.test(u), 'must be an mqtts:// or wss:// URL');

/** Where the private key's protection comes from. */
export const CUSTODY_MODES = ['keychain', 'passphrase'] as const;
export type CustodyMode = (typeof CUSTODY_MODES)[number];

/** Streams whose switching off needs an explicit confirmation (navigation-critical, IEC 61162-450 names). */
export const CRITICAL_STREAM_NAMES = ['TGTD', 'NAVD'] as const;

/** RFC 5280 CRLReason codes a revocation may carry (8 = removeFromCRL is the release operation, not a reason). */
export const revocationReasonSchema = z.union(
  REVOCATION_REASON_LIST.map((r) => z.literal(r.code)),
) as unknown as z.ZodType<RevocationReasonCode>;

/** ISO 8601 / RFC 3339 timestamp string (UTC). All times in the contract are such strings. */
export type IsoTime = string;

/** The request schema of channels that take no argument. */
export const emptySchema = z.object({}).strict();
