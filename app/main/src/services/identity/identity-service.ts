/**
 * Identity and key custody of the console, behind one facade used by the IPC handlers and the other services:
 * first-run enrollment (`enroll.ts`), import of an existing identity (`import-identity.ts`), unlock, lock and
 * removal (`custody.ts`), renewal over mutual TLS at 2/3 of the lifetime (`renewal.ts`), the signer (`signer.ts`)
 * and the status view (`status.ts`).
 *
 * The private key never leaves this service except as the signing CryptoKey and the TLS key handed to the
 * command channel and the CA client inside the main process. Status views carry public data only. Operations that
 * replace the identity (enroll, import, renew) run one at a time.
 */
import 'reflect-metadata';
import type * as x509 from '@peculiar/x509';
import type { CustodyOptions, IdentityStatus } from '@helmlink/app-preload';
import { toApiError } from '../core/errors';
import { readIdentityFiles } from './files';
import { needsPassphrase } from '../vault/sealed-key';
import {
  idleRenewal,
  type IdentityContext,
  type IdentityRevocation,
  type IdentityServiceOptions,
} from './context';
import { custodyOptions, lock, openStoredKey, removeIdentity, unlock } from './custody';
import { enroll, type EnrollRequest } from './enroll';
import { importIdentity, type ImportRequest } from './import-identity';
import { renew, renewalDue, RenewalTimer } from './renewal';
import { consoleSigner, type ConsoleSigner } from './signer';
import { identityStatus, renewalDueAt } from './status';

export type { IdentityAuditHook, IdentityRevocation, IdentityServiceOptions } from './context';
export type { ConsoleSigner } from './signer';
export type { EnrollRequest } from './enroll';
export type { ImportRequest } from './import-identity';

/** The identity service. Call {@link IdentityService.init} once before use. */
export class IdentityService {
  readonly #ctx: IdentityContext;
  readonly #timer: RenewalTimer;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(options: IdentityServiceOptions) {
    this.#ctx = {
      options,
      files: null,
      open: null,
      error: null,
      revocation: null,
      renewal: idleRenewal(),
      changed: () => {
        const s = this.status();
        options.events.emit('identity.changed', s);
        return s;
      },
      schedule: () => this.#timer.schedule(),
    };
    this.#timer = new RenewalTimer(this.#ctx, () => this.renewIfDue());
  }

  /** Loads the stored identity and, for keychain custody without a passphrase, opens the key. */
  async init(): Promise<void> {
    const ctx = this.#ctx;
    ctx.files = await readIdentityFiles(ctx.options.dataDir);
    if (ctx.files) {
      ctx.renewal.lastRenewedAt = ctx.files.meta.renewedAt;
      if (!needsPassphrase(ctx.files.sealed)) {
        try {
          await openStoredKey(ctx, undefined);
        } catch (err) {
          ctx.error = toApiError(err);
          ctx.options.logger.warn({ code: ctx.error.code }, 'stored identity cannot be opened');
        }
      }
    }
    this.#timer.schedule();
  }

  /** Stops the renewal timer and forgets the open key. */
  close(): void {
    this.#timer.cancel();
    this.#ctx.open = null;
  }

  /** Which custody modes are possible here, with the reason when the keychain is not. */
  custodyOptions(): Promise<CustodyOptions> {
    return custodyOptions(this.#ctx.options.keychain);
  }

  /** The identity status (public data only). */
  status(): IdentityStatus {
    return identityStatus(this.#ctx);
  }

  /** The pinned root of the stored identity (trust anchor for broker, vessels and the CA). */
  root(): x509.X509Certificate | null {
    return this.#ctx.files?.root ?? null;
  }

  /** The stored certificate chain, leaf first (public data; no unlock needed), or null without an identity. */
  chain(): x509.X509Certificate[] | null {
    return this.#ctx.files ? [...this.#ctx.files.chain] : null;
  }

  /**
   * Records what a verified CRL says about the console's own certificate: listed (revoked or on hold) or not.
   * Listed: the status turns `revoked`, renewal becomes impossible (its timer stops) and it is audited once.
   */
  setRevocation(revocation: IdentityRevocation | null): void {
    const ctx = this.#ctx;
    if (!ctx.files || (ctx.revocation === null && revocation === null)) return;
    const first = ctx.revocation === null;
    ctx.revocation = revocation;
    if (revocation && first) ctx.options.audit?.('identity.revoked', ctx.files.meta.entityId);
    this.#timer.schedule();
    if (!revocation || first) ctx.changed();
  }

  /** 2/3 of the certificate lifetime. */
  renewalDueAt(): Date | null {
    return renewalDueAt(this.#ctx.files);
  }

  /**
   * The signer for commands and mutual TLS. ERR_IDENTITY_MISSING without an identity, ERR_CHAIN_EXPIRED when the
   * certificate expired, ERR_IDENTITY_LOCKED when the passphrase has not been entered.
   */
  signer(): Promise<ConsoleSigner> {
    return consoleSigner(this.#ctx);
  }

  /** Opens the key with the passphrase. ERR_KEY_DECRYPT for a wrong one. */
  unlock(passphrase: string): Promise<IdentityStatus> {
    return unlock(this.#ctx, passphrase);
  }

  /** Forgets the opened key when a passphrase protects it (keychain-only custody stays usable). */
  lock(): IdentityStatus {
    return lock(this.#ctx);
  }

  /** Deletes the identity: keychain entry, files, open key. */
  remove(): Promise<IdentityStatus> {
    return removeIdentity(this.#ctx);
  }

  /** Runs the enrollment wizard, emitting `identity.enrollProgress` per step. */
  enroll(req: EnrollRequest): Promise<IdentityStatus> {
    return this.#exclusive(() => enroll(this.#ctx, req));
  }

  /** Imports an identity from PKCS#12 or encrypted PEM + chain. */
  import(req: ImportRequest): Promise<IdentityStatus> {
    return this.#exclusive(() => importIdentity(this.#ctx, req));
  }

  /** Renews now over mutual TLS with a new key (re-key). */
  renew(): Promise<IdentityStatus> {
    return this.#exclusive(() => renew(this.#ctx));
  }

  /** Renews when automatic renewal is on and 2/3 of the lifetime has passed. Returns whether it renewed. */
  async renewIfDue(): Promise<boolean> {
    if (!renewalDue(this.#ctx)) return false;
    try {
      await this.renew();
      return true;
    } catch {
      return false;
    }
  }

  #exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#busy.then(op, op);
    this.#busy = run.catch(() => undefined);
    return run;
  }
}
