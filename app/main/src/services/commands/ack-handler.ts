/**
 * Settles a command from its ack: the ack must verify (vessel signature and chain, CRL, audience = the pilot who
 * signed the command, binding to the command token, freshness) before it settles anything. An ack that does not
 * verify is audited and ignored; acks to other consoles' commands are not ours to judge. A rejection keeps the
 * vessel's own words (the ack's signed `reason_text`) apart from the code's words: shown once, never merged.
 */
import { performance } from 'node:perf_hooks';
import {
  JWS_ALGORITHMS,
  describeError,
  peekClaims,
  peekHeader,
  verifyAck,
  type Clock,
  type JwsAlgorithm,
} from '@helmlink/protocol';
import type { CommandReason, VesselLabel } from '@helmlink/app-preload';
import type { AuditLog } from '../audit/audit-log';
import { toApiError } from '../core/errors';
import type { TrustMaterial } from '../fleet/trust-material';
import type { CommandTracker, TrackedCommand } from './command-tracker';

export interface AckHandlerOptions {
  tracker: CommandTracker;
  trust: () => TrustMaterial | null;
  audit: AuditLog;
  clock: Clock;
  /** The vessel named for people (its certified name and IMO). */
  label?: (vesselId: string) => VesselLabel;
  algorithms?: readonly JwsAlgorithm[];
  clockToleranceSeconds?: number;
}

/**
 * Verifies an ack from `vesselId` against the command it claims to answer; only a verified ack settles it. An ack
 * naming a vessel certificate the console has not validated yet (x5t#S256, ERR_JOSE_X5T_UNKNOWN) is held on its
 * command until a state of the vessel verifies ({@link retryHeldAcks}) or the command times out.
 */
export async function handleAck(o: AckHandlerOptions, vesselId: string, payload: Buffer): Promise<void> {
  const token = payload.toString('utf8');
  const pending = await verifyAndSettle(o, vesselId, token);
  // A state of this vessel may have verified while this ack was being checked: then it is known now.
  const thumbprint = peekHeader(token)?.['x5t#S256'];
  const trust = o.trust();
  if (
    pending?.heldAck === token &&
    typeof thumbprint === 'string' &&
    trust?.signerCertificates.has(thumbprint)
  )
    await verifyAndSettle(o, vesselId, token);
}

/** Verifies the acks held for `vesselId` again: call it after a state of that vessel verified. */
export async function retryHeldAcks(o: AckHandlerOptions, vesselId: string): Promise<void> {
  for (const p of o.tracker.heldAcks(vesselId)) await verifyAndSettle(o, vesselId, p.heldAck!);
}

async function verifyAndSettle(
  o: AckHandlerOptions,
  vesselId: string,
  token: string,
): Promise<TrackedCommand | undefined> {
  const inReplyTo = peekClaims(token)?.in_reply_to;
  const pending = typeof inReplyTo === 'string' ? o.tracker.get(inReplyTo) : undefined;
  const trust = o.trust();
  if (!pending || pending.view.vesselId !== vesselId || !trust || pending.view.ackVerified) return undefined;
  const commandId = pending.view.commandId;
  const about = {
    vessel: o.label?.(vesselId) ?? pending.view.vessel,
    streams: pending.view.changes,
    commandId,
  };
  try {
    const verified = await verifyAck(token, {
      trust: trust.trust,
      certificates: trust.signerCertificates,
      clock: o.clock,
      vesselId,
      audience: pending.actor,
      commandToken: pending.token,
      // Every profile algorithm: the key policy bounds them.
      algorithms: o.algorithms ?? JWS_ALGORITHMS,
      ...(o.clockToleranceSeconds !== undefined ? { clockToleranceSeconds: o.clockToleranceSeconds } : {}),
    });
    const rttMs = Math.round((performance.now() - pending.sentAtPerf) * 1000) / 1000;
    const c = verified.claims;
    let reason: CommandReason | null = null;
    if (c.status === 'applied') {
      o.tracker.settle(pending, 'applied', null, { rttMs, ackVerified: true });
    } else {
      const code = c.reason ?? 'ERR_INTERNAL';
      reason = { code, message: describeError(code) };
      if (c.reason_text !== undefined) reason.vesselText = c.reason_text;
      o.tracker.settle(pending, 'rejected', reason, { rttMs, ackVerified: true });
    }
    o.audit.append({
      kind: 'ack.verified',
      ...about,
      actor: verified.signer.entityId,
      verdict: c.status,
      code: reason?.code ?? null,
      message: reason?.message ?? null,
      vesselText: reason?.vesselText ?? null,
      token,
      rttMs,
    });
  } catch (err) {
    const e = toApiError(err);
    // Held while the command can still settle (pending, or timed out but not expired).
    const held =
      e.code === 'ERR_JOSE_X5T_UNKNOWN' &&
      (pending.view.state === 'pending' || pending.view.state === 'timed_out');
    if (held) pending.heldAck = token;
    else if (pending.heldAck === token) pending.heldAck = undefined;
    o.audit.append({
      kind: 'ack.unverified',
      ...about,
      verdict: held ? 'held' : 'invalid',
      code: e.code,
      message: e.detail ?? e.message,
      token,
    });
  }
  return pending;
}
