/** Identity: enrollment, import, custody, renewal and the identity status. */
import { z } from 'zod';
import { channel } from './channel';
import type { CertificateView } from './certificates';
import { JWS_ALGORITHMS, type Role } from '@helmlink/protocol/vocabulary';
import {
  CUSTODY_MODES,
  brokerUrlSchema,
  emptySchema,
  entityIdSchema,
  fingerprintSchema,
  httpsUrlSchema,
  type CustodyMode,
  type IsoTime,
} from './primitives';
import type { ApiErrorInfo } from './result';

export const ENROLL_STEPS = [
  { id: 'check-ca', label: 'Contact the CA and check its root fingerprint' },
  { id: 'generate-key', label: 'Generate the private key on this computer' },
  { id: 'create-csr', label: 'Create the certificate request' },
  { id: 'request-certificate', label: 'Send the request with the enrollment token' },
  { id: 'verify-certificate', label: 'Verify the issued certificate' },
  { id: 'store-identity', label: 'Store the key protected' },
] as const;
export type EnrollStepId = (typeof ENROLL_STEPS)[number]['id'];

export interface EnrollProgressEvent {
  step: EnrollStepId;
  status: 'running' | 'done' | 'failed';
  /** 0-based index into ENROLL_STEPS and the total, for a progress bar. */
  index: number;
  total: number;
  at: IsoTime;
  error: ApiErrorInfo | null;
}

export type IdentityState =
  /** No identity yet: show the enrollment wizard / import. */
  | 'none'
  /** Identity stored, key protected by a passphrase not entered yet: signing asks for it. */
  | 'locked'
  /** Identity usable. */
  | 'ready'
  /** Certificate expired: renewal impossible, enroll again. */
  | 'expired'
  /** Certificate revoked (a verified CRL lists it): renewal impossible, enroll again with a new token. */
  | 'revoked'
  /** The stored key cannot be opened (keychain unavailable or entry missing); `error` says why. */
  | 'unavailable';

export interface KeychainAvailability {
  available: boolean;
  /** Backend name, e.g. "Secret Service", "macOS Keychain", "Windows Credential Manager". */
  backend: string | null;
  /** Why not, in words, when unavailable. */
  reason: string | null;
}

export interface CustodyOptions {
  keychain: KeychainAvailability;
  /** Passphrase-only custody is always possible. */
  passphraseOnly: true;
}

export interface RenewalView {
  /** `impossible`: the certificate is revoked or expired, only a new enrollment helps (no renewal is scheduled). */
  state: 'idle' | 'scheduled' | 'renewing' | 'failed' | 'impossible';
  auto: boolean;
  /** 2/3 of the certificate lifetime. */
  dueAt: IsoTime | null;
  lastAttemptAt: IsoTime | null;
  lastRenewedAt: IsoTime | null;
  lastError: ApiErrorInfo | null;
}

export interface IdentityStatus {
  state: IdentityState;
  custody: CustodyMode | null;
  /** A passphrase is needed before signing (passphrase custody, or keychain + passphrase on top). */
  passphraseRequired: boolean;
  unlocked: boolean;
  entityId: string | null;
  roles: Role[];
  isAdmin: boolean;
  /** Leaf certificate. */
  certificate: CertificateView | null;
  /** Issuer chain above the leaf (intermediates, root). */
  chain: CertificateView[];
  expiresAt: IsoTime | null;
  /** Banner level before expiry (settings.expiryWarningDays). */
  expiryWarning: 'none' | 'soon' | 'urgent' | 'expired';
  renewal: RenewalView;
  caUrl: string | null;
  rootFingerprint: string | null;
  /** Set when a verified CRL lists this console's certificate (state `revoked`). */
  revocation: { revokedAt: IsoTime | null; reason: string | null; detectedAt: IsoTime } | null;
  error: ApiErrorInfo | null;
}

// Requests

const passphraseSchema = z.string().min(1).max(1024);

/** Passphrase-only custody cannot do without the passphrase. */
const hasRequiredPassphrase = (r: { custody: CustodyMode; passphrase?: string | undefined }): boolean =>
  r.custody !== 'passphrase' || r.passphrase !== undefined;
const PASSPHRASE_REQUIRED = {
  message: 'a passphrase is required for passphrase-only custody',
  path: ['passphrase'],
};

/** What both import formats carry besides the file: its passphrase, the custody to store under, the optional CA. */
const importCommon = {
  /** The file's own passphrase. */
  filePassphrase: z.string().max(1024),
  custody: z.enum(CUSTODY_MODES),
  passphrase: passphraseSchema.optional(),
  caUrl: httpsUrlSchema.optional(),
  rootFingerprint: fingerprintSchema.optional(),
};

export const enrollRequestSchema = z
  .object({
    caUrl: httpsUrlSchema,
    rootFingerprint: fingerprintSchema,
    token: z.string().min(8).max(4096),
    /** The entity id the token was issued for (becomes the certificate CN). */
    entityId: entityIdSchema,
    keyAlgorithm: z.enum(JWS_ALGORITHMS).optional(),
    custody: z.enum(CUSTODY_MODES),
    /** Required for custody "passphrase"; optional extra protection for "keychain". */
    passphrase: passphraseSchema.optional(),
    /** Saved to settings when given. */
    brokerUrl: brokerUrlSchema.optional(),
  })
  .strict()
  .refine(hasRequiredPassphrase, PASSPHRASE_REQUIRED);

export const importRequestSchema = z
  .discriminatedUnion('format', [
    z
      .object({
        format: z.literal('pkcs12'),
        /** The .p12/.pfx file, base64. */
        fileBase64: z
          .string()
          .min(4)
          .max(1_000_000)
          .regex(/^[A-Za-z0-9+/=\s]+$/u),
        ...importCommon,
      })
      .strict(),
    z
      .object({
        format: z.literal('pem'),
        /** Encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`). */
        keyPem: z.string().min(32).max(100_000),
        /** Leaf certificate first, then the issuer chain (root optional). */
        chainPem: z.string().min(32).max(200_000),
        ...importCommon,
      })
      .strict(),
  ])
  .refine(hasRequiredPassphrase, PASSPHRASE_REQUIRED);

/** Identity channels. */
export const identityChannels = {
  'identity.status': channel<IdentityStatus>()('identity.status', emptySchema),
  'identity.custodyOptions': channel<CustodyOptions>()('identity.custodyOptions', emptySchema),
  /** Runs the whole wizard; emits `identity.enrollProgress` per step; resolves with the new status. */
  'identity.enroll': channel<IdentityStatus>()('identity.enroll', enrollRequestSchema),
  'identity.import': channel<IdentityStatus>()('identity.import', importRequestSchema),
  /** Manual renewal over mTLS (re-key). */
  'identity.renew': channel<IdentityStatus>()('identity.renew', emptySchema),
  /** Enter the passphrase; kept in main memory until lock or quit. */
  'identity.unlock': channel<IdentityStatus>()(
    'identity.unlock',
    z.object({ passphrase: passphraseSchema }).strict(),
  ),
  'identity.lock': channel<IdentityStatus>()('identity.lock', emptySchema),
  /** Deletes the stored identity (key, keychain entry, certificates). */
  'identity.remove': channel<IdentityStatus>()(
    'identity.remove',
    z.object({ confirm: z.literal(true) }).strict(),
  ),
} as const;
