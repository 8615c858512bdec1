/**
 * The console's audit log: every command sent, every ack and state received with its verdict, identity and PKI
 * administration events. Append-only JSON Lines in the data directory (one {@link AuditEntry} per line),
 * searchable in memory and exportable as JSON Lines. Tokens recorded here are signed protocol messages (public);
 * secrets never are.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry, AuditQuery } from '@helmlink/app-preload';
import type { Clock } from '@helmlink/protocol';
import type { ConsoleEvents } from '../core/events';

/** The optional fields of an entry (null when left out). */
type OptionalField =
  | 'vesselId'
  | 'vessel'
  | 'streams'
  | 'commandId'
  | 'actor'
  | 'code'
  | 'message'
  | 'vesselText'
  | 'token'
  | 'rttMs';

export type AuditInput = Omit<AuditEntry, 'id' | 'at' | OptionalField> &
  Partial<Pick<AuditEntry, OptionalField>>;

/** Fields added to entries after the first release. */
const ADDED_FIELDS = { vessel: null, streams: null, vesselText: null } as const;

/** Append-only audit log backed by a JSON Lines file. */
export class AuditLog {
  readonly #path: string;
  readonly #clock: Clock;
  readonly #events: ConsoleEvents | undefined;
  readonly #entries: AuditEntry[] = [];

  constructor(path: string, clock: Clock, events?: ConsoleEvents) {
    this.#path = path;
    this.#clock = clock;
    this.#events = events;
    mkdirSync(dirname(path), { recursive: true });
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        // Entries written before a field existed read it as null.
        this.#entries.push({ ...ADDED_FIELDS, ...(JSON.parse(line) as AuditEntry) });
      } catch {
        // A torn last line after a crash is skipped, never fatal.
      }
    }
  }

  /** Appends an entry (written synchronously before it is announced) and returns it. */
  append(input: AuditInput): AuditEntry {
    const entry: AuditEntry = {
      id: (this.#entries.at(-1)?.id ?? 0) + 1,
      at: new Date(this.#clock()).toISOString(),
      kind: input.kind,
      vesselId: input.vesselId ?? input.vessel?.vesselId ?? null,
      vessel: input.vessel ?? null,
      streams: input.streams ?? null,
      commandId: input.commandId ?? null,
      actor: input.actor ?? null,
      verdict: input.verdict,
      code: input.code ?? null,
      message: input.message ?? null,
      vesselText: input.vesselText ?? null,
      token: input.token ?? null,
      rttMs: input.rttMs ?? null,
    };
    appendFileSync(this.#path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    this.#entries.push(entry);
    this.#events?.emit('audit.appended', entry);
    return entry;
  }

  /** Entries matching the query, newest first, with the total match count. */
  search(query: AuditQuery = {}): { entries: AuditEntry[]; total: number } {
    const matches = this.#filter(query).reverse();
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 200;
    return { entries: matches.slice(offset, offset + limit), total: matches.length };
  }

  /** JSON Lines of every matching entry, oldest first. */
  exportJsonl(query: AuditQuery = {}): { filename: string; jsonl: string; count: number } {
    const { limit: _limit, offset: _offset, ...filter } = query;
    const matches = this.#filter(filter);
    const stamp = new Date(this.#clock()).toISOString().replace(/[:.]/gu, '-');
    return {
      filename: `helmlink-audit-${stamp}.jsonl`,
      jsonl: matches.map((e) => `${JSON.stringify(e)}\n`).join(''),
      count: matches.length,
    };
  }

  #filter(q: AuditQuery): AuditEntry[] {
    const text = q.text?.toLowerCase();
    const from = q.from ? Date.parse(q.from) : undefined;
    const to = q.to ? Date.parse(q.to) : undefined;
    return this.#entries.filter((e) => {
      if (q.vesselId && e.vesselId !== q.vesselId) return false;
      if (q.commandId && e.commandId !== q.commandId) return false;
      if (q.kinds && q.kinds.length > 0 && !q.kinds.includes(e.kind)) return false;
      if (q.verdict && e.verdict !== q.verdict) return false;
      const t = Date.parse(e.at);
      if (from !== undefined && t < from) return false;
      if (to !== undefined && t > to) return false;
      if (text) {
        const hay = [
          e.kind,
          e.vesselId,
          e.vessel?.name,
          e.vessel?.imo,
          ...(e.streams ?? []).map((s) => s.name),
          e.commandId,
          e.actor,
          e.verdict,
          e.code,
          e.message,
          e.vesselText,
        ]
          .filter(Boolean)
          .join(' ')
          .toLowerCase();
        if (!hay.includes(text)) return false;
      }
      return true;
    });
  }
}
