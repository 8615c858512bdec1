/** Shared primitives of the contract: version, identifier and address schemas, role and algorithm names. */
import { z } from 'zod';

/** Contract version; bumped only on an incompatible change (never planned). */
export const CONTRACT_VERSION = 1;

/** Same rule as protocol/src/topics.ts `assertTopicId` (kept local so the contract stays dependency-free). */
export const entityIdSchema = z
  .string()
  .min(1)
  .max(128)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^+#/\u0000]+$/u, 'must not contain +, #, / or NUL');

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

/** Roles of the certificate profile (protocol/src/pki/profile.ts). */
export const ROLE_NAMES = ['pilot', 'admin', 'vessel', 'broker', 'ca'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
/** Roles an administrator can create enrollment tokens for. */
export const ENROLLABLE_ROLES = ['pilot', 'admin', 'vessel', 'broker'] as const;

/** Key algorithms offered when a key is generated locally (ES256 = ECDSA P-256, the default). */
export const KEY_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'PS256'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** Where the private key's protection comes from. */
export const CUSTODY_MODES = ['keychain', 'passphrase'] as const;
export type CustodyMode = (typeof CUSTODY_MODES)[number];

/** Streams whose switching off needs an explicit confirmation (navigation-critical, IEC 61162-450 names). */
export const CRITICAL_STREAM_NAMES = ['TGTD', 'NAVD'] as const;

/** RFC 5280 CRLReason codes a revocation may carry (8 = removeFromCRL is the release operation, not a reason). */
export const REVOCATION_REASONS = [
  { code: 0, name: 'unspecified', label: 'Unspecified' },
  { code: 1, name: 'keyCompromise', label: 'Key compromise' },
  { code: 2, name: 'cACompromise', label: 'CA compromise' },
  { code: 3, name: 'affiliationChanged', label: 'Affiliation changed' },
  { code: 4, name: 'superseded', label: 'Superseded' },
  { code: 5, name: 'cessationOfOperation', label: 'Cessation of operation' },
  { code: 6, name: 'certificateHold', label: 'Certificate hold (can be released)' },
  { code: 9, name: 'privilegeWithdrawn', label: 'Privilege withdrawn' },
  { code: 10, name: 'aACompromise', label: 'AA compromise' },
] as const;
export type RevocationReasonCode = (typeof REVOCATION_REASONS)[number]['code'];
export const revocationReasonSchema = z.union(
  REVOCATION_REASONS.map((r) => z.literal(r.code)),
) as unknown as z.ZodType<RevocationReasonCode>;

/** ISO 8601 / RFC 3339 timestamp string (UTC). All times in the contract are such strings. */
export type IsoTime = string;

/** The request schema of channels that take no argument. */
export const emptySchema = z.object({}).strict();
