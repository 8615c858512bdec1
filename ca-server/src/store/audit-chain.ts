/**
 * The audit log's hash chain: each entry's hash is SHA-256 over the previous hash and the canonical JSON of the
 * entry, so an edited, dropped or reordered entry breaks every later link.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry } from './types';

/** The hash of the chain start. */
export const AUDIT_GENESIS = '0'.repeat(64);

/** Canonical JSON (sorted keys) so that the audit hash does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/** The hash of an audit entry: SHA-256 over the previous hash and the canonical entry. */
export function auditHash(
  prevHash: string,
  e: { seq: number; ts: number; actor: string; action: string; details: Record<string, unknown> },
): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ seq: e.seq, ts: e.ts, actor: e.actor, action: e.action, details: e.details }))
    .digest('hex');
}

/** Verifies the audit hash chain. Returns the number of entries, or the first broken sequence number. */
export function verifyAuditChain(
  entries: readonly AuditEntry[],
): { ok: true; count: number; head: string } | { ok: false; brokenAt: number; reason: string } {
  let prev = AUDIT_GENESIS;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq)
      return { ok: false, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing` };
    if (e.prevHash !== prev)
      return { ok: false, brokenAt: e.seq, reason: 'previous-hash link does not match' };
    if (auditHash(prev, e) !== e.hash)
      return { ok: false, brokenAt: e.seq, reason: 'entry content does not match its hash' };
    prev = e.hash;
    expectedSeq++;
  }
  return { ok: true, count: entries.length, head: prev };
}
