/**
 * The per-command pipeline, independent of MQTT:
 *
 *   exact token already handled? → the stored ack again (QoS 1 redelivery; nothing applied twice)
 *   verifyCommand (size, header, x5c chain to the pinned root, CRL, signature, claims, aud, freshness, role pilot)
 *   → replay check (against the persisted cache) → catalog check → hook → persist state + replay + ack (one file)
 *   → Redis → signed ack.
 *
 * Rejections the envelope marks unattributable (no authenticated pilot behind them) get no ack at all, only a log
 * line and an alert. A stale CRL is answered with ERR_CRL_STALE when the signer is otherwise an authentic pilot.
 */
import { createHash } from 'node:crypto';
import {
  attributionOf,
  checkStreamsSet,
  isHelmlinkError,
  peekClaims,
  signAck,
  verifyCommand,
  type SignAckOptions,
  type JwsAlgorithm,
  type ReplayEntry,
  type Signer,
  type StreamCatalog,
  type Trust,
  type VerifiedCommand,
  type ErrorCode,
  type Clock,
} from '@helmlink/protocol';
import type { StateStore, StoredAck, Streams } from '../state';
import { reasonTextOf, runHook, type HookConfig } from '../handoff/hook';

/** What happened to one command. */
export type Verdict = 'applied' | 'rejected' | 'duplicate' | 'dropped';

export interface CommandOutcome {
  verdict: Verdict;
  /** Error code for rejected and dropped commands. */
  reason?: ErrorCode;
  /** Human-readable detail (never sent to the pilot). */
  detail?: string;
  /** The ship systems' own words for a rejection, signed into the ack (`reason_text`). */
  reasonText?: string;
  jti?: string;
  signer?: string;
  /** The ack to publish (absent for dropped commands). */
  ack?: string;
  /** True when the stream state changed. */
  changed: boolean;
  /** The command's verified claims when it verified. */
  verified?: VerifiedCommand;
  /** Where the time went for an applied command, ms (logged; `npm run bench:vessel` reports it per stage). */
  stages?: CommandStages;
}

/** Time per stage of an applied command, ms. */
export interface CommandStages {
  verify: number;
  hook: number;
  sign: number;
  /** The journal append (page cache). */
  write: number;
}

export interface ProcessorContext {
  vesselId: string;
  catalog: StreamCatalog;
  store: StateStore;
  /** Full trust (CRL enforced) and the same anchors without revocation (only to attribute a stale-CRL rejection). */
  trust: Trust;
  trustIgnoringRevocation: Trust;
  /** The vessel's current signing identity (swapped on renewal). */
  signer: () => Signer;
  algorithms: readonly JwsAlgorithm[];
  clockToleranceSeconds: number;
  clock: Clock;
  hook?: HookConfig;
  /** Called after the state is persisted, before the ack is sent (Redis hand-off). */
  afterApply?: (applied: {
    jti: string;
    signer: string;
    streams: Streams;
    seq: number;
    at: number;
  }) => Promise<void>;
}

/** base64url SHA-256 of the exact token text (the ack's cmd_sha256). */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

const LONGEST_LIFETIME_SECONDS = 300;

/**
 * Handles one command token. Never throws for bad input; throws only when the state cannot be persisted. The
 * outcome is written to the state file when this resolves, and durable once `ctx.store.durable()` resolves: its ack
 * must not leave before that.
 */
export async function processCommand(ctx: ProcessorContext, token: string): Promise<CommandOutcome> {
  const digest = tokenDigest(token);
  const stored = ctx.store.ackFor(digest);
  if (stored)
    return { verdict: 'duplicate', jti: stored.jti, signer: stored.iss, ack: stored.ack, changed: false };

  const nowMs = ctx.clock();
  const t0 = performance.now();
  const replay = {
    // Check only: the entry is recorded together with the state and the ack in one write (commit below).
    checkAndRecord: (entry: ReplayEntry) => !ctx.store.seen(entry.iss, entry.jti),
  };
  const options = {
    trust: ctx.trust,
    clock: () => nowMs,
    algorithms: ctx.algorithms,
    clockToleranceSeconds: ctx.clockToleranceSeconds,
    audience: ctx.vesselId,
    replay,
  };
  let verified: VerifiedCommand;
  try {
    verified = await verifyCommand(token, options);
  } catch (err) {
    let attribution: { signer: string; jti: string } | undefined = attributionOf(err);
    if (!attribution && isHelmlinkError(err, 'ERR_CRL_STALE'))
      attribution = await attributeStale(ctx, token, options);
    const code = isHelmlinkError(err) ? err.code : 'ERR_INPUT_INVALID';
    const detail = err instanceof Error ? err.message : String(err);
    if (!attribution) return { verdict: 'dropped', reason: code, detail, changed: false };
    return rejectWith(
      ctx,
      token,
      digest,
      attribution.signer,
      attribution.jti,
      code,
      detail,
      nowMs,
      claimExpiry(token, nowMs),
    );
  }
  const { claims } = verified;
  // The replay entry's expiry as verifyCommand computes it: the command cannot be accepted after this.
  const expiresAt = claims.exp + ctx.clockToleranceSeconds;

  // A verified command refused by the catalog or the hook: a signed `rejected` ack, the state unchanged.
  const refuse = async (err: unknown, fallback: ErrorCode): Promise<CommandOutcome> => ({
    ...(await rejectWith(
      ctx,
      token,
      digest,
      claims.iss,
      claims.jti,
      isHelmlinkError(err) ? err.code : fallback,
      (err as Error).message,
      nowMs,
      expiresAt,
      // The hook's own words for the pilot, when it wrote any (undefined for every other refusal).
      reasonTextOf(err),
    )),
    verified,
  });
  let next: Streams;
  try {
    next = checkStreamsSet(claims.cmd, ctx.catalog);
  } catch (err) {
    return refuse(err, 'ERR_CMD_INVALID');
  }

  const t1 = performance.now();
  const refused = await hookRefusal(ctx, claims, next);
  if (refused) return refuse(refused, 'ERR_HOOK_REJECTED');
  const t2 = performance.now();
  const ack = await vesselAck(ctx, {
    audience: claims.iss,
    inReplyTo: claims.jti,
    commandToken: token,
    commandSha256: digest,
    status: 'applied',
    state: next,
  });
  const handled: StoredAck = { cmdSha256: digest, iss: claims.iss, jti: claims.jti, ack, expiresAt };
  const t3 = performance.now();
  ctx.store.commit(handled, next);
  const ms = (a: number, b: number) => Math.round((b - a) * 1000) / 1000;
  const stages = { verify: ms(t0, t1), hook: ms(t1, t2), sign: ms(t2, t3), write: ms(t3, performance.now()) };
  if (ctx.afterApply) {
    // The hand-off tells the outside world: only once the state is on disk.
    await ctx.store.durable();
    await ctx.afterApply({
      jti: claims.jti,
      signer: claims.iss,
      streams: next,
      seq: ctx.store.seq,
      at: ctx.clock(),
    });
  }
  return { verdict: 'applied', jti: claims.jti, signer: claims.iss, ack, changed: true, verified, stages };
}

/** Runs the hook (when configured) with the proposed state; returns what it threw, if it refused. */
async function hookRefusal(
  ctx: ProcessorContext,
  claims: VerifiedCommand['claims'],
  next: Streams,
): Promise<unknown> {
  if (!ctx.hook) return undefined;
  try {
    await runHook(ctx.hook, {
      vesselId: ctx.vesselId,
      jti: claims.jti,
      signer: claims.iss,
      on: next.on,
      off: next.off,
      onStreamIds: ctx.catalog.streams.filter((s) => next.on.includes(s.address)).map((s) => s.id),
      previous: ctx.store.streams,
      seq: ctx.store.seq + 1,
    });
    return undefined;
  } catch (err) {
    return err ?? new Error('the hook refused');
  }
}

/**
 * Signs an ack of this vessel. It names the vessel certificate by x5t#S256 (~0.9 KB less on the link): consoles know
 * the certificate from the signed state this vessel publishes retained, which carries it in x5c.
 */
async function vesselAck(
  ctx: ProcessorContext,
  options: Omit<SignAckOptions, 'clock' | 'signerReference'>,
): Promise<string> {
  return (await signAck(ctx.signer(), { ...options, clock: ctx.clock, signerReference: 'x5t#S256' })).token;
}

/** Signs and stores a `rejected` ack (the state is unchanged), with the ship systems' words when there are any. */
async function rejectWith(
  ctx: ProcessorContext,
  token: string,
  digest: string,
  pilot: string,
  jti: string,
  code: ErrorCode,
  detail: string,
  nowMs: number,
  expiresAt: number,
  reasonText?: string,
): Promise<CommandOutcome> {
  const ack = await vesselAck(ctx, {
    audience: pilot,
    inReplyTo: jti,
    commandToken: token,
    commandSha256: digest,
    status: 'rejected',
    reason: code,
    ...(reasonText !== undefined ? { reasonText } : {}),
    state: ctx.store.streams,
  });
  // A replayed jti is already in the cache; every other attributable rejection is remembered so that a redelivery
  // gets this same ack.
  if (code !== 'ERR_REPLAY')
    ctx.store.commit({
      cmdSha256: digest,
      iss: pilot,
      jti,
      ack,
      expiresAt: Math.max(expiresAt, Math.floor(nowMs / 1000)),
    });
  return {
    verdict: 'rejected',
    reason: code,
    detail,
    ...(reasonText !== undefined ? { reasonText } : {}),
    jti,
    signer: pilot,
    ack,
    changed: false,
  };
}

/**
 * A stale CRL makes the full verification fail before attribution. Verifying again without revocation tells
 * whether an authentic pilot signed it: then the pilot is told ERR_CRL_STALE; anything else stays unanswered.
 */
async function attributeStale(
  ctx: ProcessorContext,
  token: string,
  options: Parameters<typeof verifyCommand>[1],
): Promise<{ signer: string; jti: string } | undefined> {
  try {
    const v = await verifyCommand(token, {
      ...options,
      trust: ctx.trustIgnoringRevocation,
      replay: { checkAndRecord: () => true },
    });
    return { signer: v.claims.iss, jti: v.claims.jti };
  } catch (err) {
    const a = attributionOf(err);
    return a ? { signer: a.signer, jti: a.jti } : undefined;
  }
}

/** The exp claim read without verification (only to bound how long a rejection is remembered). */
function claimExpiry(token: string, nowMs: number): number {
  const fallback = Math.floor(nowMs / 1000) + LONGEST_LIFETIME_SECONDS;
  const exp = peekClaims(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? Math.min(exp + 600, fallback + 600) : fallback;
}
