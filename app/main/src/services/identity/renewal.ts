/**
 * Renewal over mutual TLS with a new key (re-key), manually or automatically at 2/3 of the certificate lifetime.
 * The new key is sealed under the same data key, so the passphrase and the keychain entry keep opening it.
 */
import 'reflect-metadata';
import { HelmlinkError, createProfileCsr, exportPkcs8, generateKeyPair } from '@helmlink/protocol';
import type { IdentityStatus } from '@helmlink/app-preload';
import { toApiError } from '../core/errors';
import { consoleCaClient } from '../ca/console-ca';
import { needsPassphrase, resealKey } from '../vault/sealed-key';
import type { IdentityContext } from './context';
import { materialiseKey } from './custody';
import { writeIdentityFiles, type IdentityFiles } from './files';
import { acceptIssued } from './issued';
import { consoleSigner } from './signer';
import { renewalDueAt } from './status';

/** After a failed automatic renewal, the next attempt waits at least this long. */
const RETRY_AFTER_FAILURE_MS = 15 * 60_000;
/** setTimeout's limit (~24.8 days): a longer wait just re-checks. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Renews now. ERR_IDENTITY_MISSING, ERR_SETTINGS_MISSING without a CA URL, or the CA's refusal code. */
export async function renew(ctx: IdentityContext): Promise<IdentityStatus> {
  const f = ctx.files;
  if (!f) throw new HelmlinkError('ERR_IDENTITY_MISSING');
  if (ctx.revocation)
    throw new HelmlinkError('ERR_IDENTITY_REVOKED', 'a revoked certificate cannot be renewed');
  const o = ctx.options;
  const caUrl = f.meta.caUrl ?? o.settings.get().caUrl;
  if (!caUrl) throw new HelmlinkError('ERR_SETTINGS_MISSING', 'the CA URL is not set');
  ctx.renewal = { ...ctx.renewal, state: 'renewing', lastAttemptAt: new Date(o.clock()).toISOString() };
  ctx.changed();
  try {
    const signer = await consoleSigner(ctx);
    const ca = consoleCaClient({ url: caUrl, root: f.root, tls: signer.tls(), timeoutMs: o.caTimeoutMs });
    const keys = await generateKeyPair(f.meta.keySpec, { extractable: true });
    const pkcs8 = await exportPkcs8(keys.privateKey);
    const csr = await createProfileCsr(f.meta.entityId, keys);
    const res = await ca.json<unknown>('POST', '/ca/v1/renew', { csr });
    const chain = await acceptIssued(
      res,
      pkcs8,
      f.meta.entityId,
      f.chain.slice(1),
      f.root,
      new Date(o.clock()),
    );
    const dataKey = ctx.open!.dataKey;
    const now = new Date(o.clock()).toISOString();
    const files: IdentityFiles = {
      ...f,
      meta: { ...f.meta, renewedAt: now },
      sealed: resealKey(f.sealed, dataKey, pkcs8),
      chain,
    };
    await writeIdentityFiles(o.dataDir, files);
    ctx.files = files;
    ctx.open = await materialiseKey(pkcs8, dataKey, f.meta.keySpec, chain[0]!);
    ctx.renewal = { state: 'idle', lastAttemptAt: now, lastRenewedAt: now, lastError: null };
    o.audit?.('identity.renewed', f.meta.entityId);
    ctx.schedule();
    return ctx.changed();
  } catch (err) {
    ctx.renewal = { ...ctx.renewal, state: 'failed', lastError: toApiError(err) };
    ctx.changed();
    throw err;
  }
}

/**
 * True when automatic renewal should run now: it is on, 2/3 of the lifetime has passed and the key is usable
 * without asking for the passphrase.
 */
export function renewalDue(ctx: IdentityContext): boolean {
  const due = renewalDueAt(ctx.files);
  if (!due || ctx.revocation || !ctx.options.settings.get().autoRenew || ctx.options.clock() < due.getTime())
    return false;
  return !(!ctx.open && ctx.files && needsPassphrase(ctx.files.sealed));
}

/** The automatic renewal timer: one pending timeout at most, re-armed after every attempt. */
export class RenewalTimer {
  #timer: NodeJS.Timeout | undefined;

  /** `fire` runs when the certificate is due (or, after a failure, no sooner than the retry delay). */
  constructor(
    private readonly ctx: IdentityContext,
    private readonly fire: () => Promise<unknown>,
  ) {}

  /** (Re-)arms the timer for the current certificate; a no-op when timers are off or there is no identity. */
  schedule(): void {
    this.cancel();
    if (this.ctx.options.autoRenewTimers === false) return;
    const due = renewalDueAt(this.ctx.files);
    if (!due || this.ctx.revocation) return;
    const failed = this.ctx.renewal.state === 'failed';
    const wait = Math.max(failed ? RETRY_AFTER_FAILURE_MS : 0, due.getTime() - this.ctx.options.clock());
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        void this.fire().finally(() => this.schedule());
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    this.#timer.unref();
    if (this.ctx.renewal.state === 'idle') this.ctx.renewal.state = 'scheduled';
  }

  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
