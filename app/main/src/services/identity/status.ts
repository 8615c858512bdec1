/** The identity status view (public data only) and the renewal due date it shows. */
import 'reflect-metadata';
import { renewalDueAt as sharedRenewalDueAt } from '@helmlink/protocol';
import type { IdentityStatus } from '@helmlink/app-preload';
import { needsPassphrase } from '../vault/sealed-key';
import { certificateView, profileOf } from './certificate-view';
import type { IdentityContext } from './context';
import type { IdentityFiles } from './files';

const DAY = 86_400_000;

/** When the certificate is due for renewal (the shared rule: 2/3 of its lifetime), or null without an identity. */
export function renewalDueAt(files: IdentityFiles | null): Date | null {
  const leaf = files?.chain[0];
  return leaf ? new Date(sharedRenewalDueAt(leaf)) : null;
}

/** The renewal part of the status: impossible (no due date) once the certificate is revoked or expired. */
function renewalView(ctx: IdentityContext, expired: boolean, auto: boolean): IdentityStatus['renewal'] {
  if (expired || ctx.revocation) return { ...ctx.renewal, state: 'impossible', auto, dueAt: null };
  return { ...ctx.renewal, auto, dueAt: renewalDueAt(ctx.files)?.toISOString() ?? null };
}

/** The status of the identity in `ctx` at the context clock's now. */
export function identityStatus(ctx: IdentityContext): IdentityStatus {
  const f = ctx.files;
  const settings = ctx.options.settings.get();
  if (!f) {
    return {
      state: 'none',
      custody: null,
      passphraseRequired: false,
      unlocked: false,
      entityId: null,
      roles: [],
      isAdmin: false,
      certificate: null,
      chain: [],
      expiresAt: null,
      expiryWarning: 'none',
      renewal: { ...ctx.renewal, auto: settings.autoRenew, dueAt: null },
      caUrl: settings.caUrl,
      rootFingerprint: settings.rootFingerprint,
      revocation: null,
      error: ctx.error,
    };
  }
  const leaf = f.chain[0]!;
  const now = new Date(ctx.options.clock());
  const { roles } = profileOf(leaf);
  const expired = now > leaf.notAfter;
  const left = leaf.notAfter.getTime() - now.getTime();
  const warnMs = settings.expiryWarningDays * DAY;
  const expiryWarning = expired
    ? 'expired'
    : left <= Math.min(2 * DAY, warnMs / 4)
      ? 'urgent'
      : left <= warnMs
        ? 'soon'
        : 'none';
  const passphraseRequired = needsPassphrase(f.sealed);
  const state = expired
    ? 'expired'
    : ctx.revocation
      ? 'revoked'
      : ctx.open
        ? 'ready'
        : passphraseRequired
          ? 'locked'
          : ctx.error
            ? 'unavailable'
            : 'ready';
  return {
    state,
    custody: f.sealed.custody,
    passphraseRequired,
    unlocked: ctx.open !== null,
    entityId: f.meta.entityId,
    roles,
    isAdmin: roles.includes('admin'),
    certificate: certificateView(leaf),
    chain: [...f.chain.slice(1), f.root].map(certificateView),
    expiresAt: leaf.notAfter.toISOString(),
    expiryWarning,
    renewal: renewalView(ctx, expired, settings.autoRenew),
    caUrl: f.meta.caUrl ?? settings.caUrl,
    rootFingerprint: f.meta.rootFingerprint,
    revocation: ctx.revocation,
    error: ctx.error,
  };
}
