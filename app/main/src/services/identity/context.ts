/**
 * The state the identity operations share (`enroll.ts`, `import-identity.ts`, `renewal.ts`, `custody.ts`,
 * `signer.ts`, `status.ts`) and the options of {@link IdentityService}. Only the facade creates a context; the
 * operations read and replace its fields.
 */
import type { KeyObject } from 'node:crypto';
import type { ApiErrorInfo, IdentityStatus, RenewalView } from '@helmlink/app-preload';
import type { Clock } from '@helmlink/protocol';
import type { ConsoleEvents } from '../core/events';
import type { Logger } from '../core/logger';
import type { Keychain } from '../vault/keychain';
import type { ScryptParams } from '../vault/sealed-key';
import type { SettingsService } from '../settings/settings-service';
import type { IdentityFiles } from './files';

/** Hook called after each audited identity operation. */
export type IdentityAuditHook = (
  kind:
    'identity.enrolled' | 'identity.imported' | 'identity.renewed' | 'identity.removed' | 'identity.revoked',
  entityId: string,
) => void;

export interface IdentityServiceOptions {
  dataDir: string;
  /** The OS keychain; undefined when none is configured (then only passphrase custody works). */
  keychain?: Keychain;
  settings: SettingsService;
  events: ConsoleEvents;
  clock: Clock;
  logger: Logger;
  scrypt?: ScryptParams;
  caTimeoutMs?: number;
  audit?: IdentityAuditHook;
  /** Timers for automatic renewal (default: global setTimeout; tests call renewIfDue). */
  autoRenewTimers?: boolean;
}

/** What a verified CRL says about the console's own certificate. */
export type IdentityRevocation = NonNullable<IdentityStatus['revocation']>;

/** The opened private key: in main-process memory only, never in a status view. */
export interface OpenKey {
  dataKey: Buffer;
  keyObject: KeyObject;
  signingKey: CryptoKey;
}

/** The renewal part of the status that the service keeps (`auto` and `dueAt` are derived). */
export type RenewalProgress = Omit<RenewalView, 'auto' | 'dueAt'>;

/** A renewal record with nothing attempted yet. */
export const idleRenewal = (): RenewalProgress => ({
  state: 'idle',
  lastAttemptAt: null,
  lastRenewedAt: null,
  lastError: null,
});

export interface IdentityContext {
  readonly options: IdentityServiceOptions;
  /** The stored identity, or null before enrollment/import. */
  files: IdentityFiles | null;
  /** The opened key, or null while locked. */
  open: OpenKey | null;
  /** Why the stored key could not be opened at start-up. */
  error: ApiErrorInfo | null;
  /** Set while a verified CRL lists the certificate (revoked or on hold); cleared by a CRL that does not. */
  revocation: IdentityRevocation | null;
  renewal: RenewalProgress;
  /** Emits `identity.changed` with the current status and returns it. */
  changed(): IdentityStatus;
  /** Re-arms the automatic renewal timer for the current certificate. */
  schedule(): void;
}
