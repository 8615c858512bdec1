import { describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from '../../../src/services/audit/audit-log';
import { frozenClock } from '@helmlink/protocol';
import { ConsoleEvents } from '../../../src/services/core/events';
import { tempDir } from '../../helpers/console';

describe('audit log', () => {
  it('appends JSON Lines, announces entries, searches and exports, and survives a restart', () => {
    const path = join(tempDir(), 'audit.jsonl');
    const clock = frozenClock(new Date('2026-11-22T01:00:00Z'));
    const events = new ConsoleEvents();
    const seen: unknown[] = [];
    events.subscribe((e, p) => e === 'audit.appended' && seen.push(p));
    const log = new AuditLog(path, clock, events);
    log.append({ kind: 'command.sent', vesselId: 'MV-1', commandId: 'c1', verdict: 'sent', token: 'a.b.c' });
    clock.advance(1000);
    log.append({ kind: 'ack.verified', vesselId: 'MV-1', commandId: 'c1', verdict: 'applied', rttMs: 1.5 });
    clock.advance(1000);
    log.append({
      kind: 'ack.verified',
      vesselId: 'MV-2',
      commandId: 'c2',
      verdict: 'rejected',
      code: 'ERR_STREAM_UNKNOWN',
      message: 'A stream is not in the vessel catalog',
    });
    expect(seen).toHaveLength(3);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);

    expect(log.search({}).entries.map((e) => e.id)).toEqual([3, 2, 1]);
    expect(log.search({ vesselId: 'MV-1' }).total).toBe(2);
    expect(log.search({ verdict: 'rejected' }).entries[0]!.code).toBe('ERR_STREAM_UNKNOWN');
    expect(log.search({ text: 'catalog' }).total).toBe(1);
    expect(log.search({ kinds: ['command.sent'] }).entries[0]!.token).toBe('a.b.c');
    expect(log.search({ from: '2026-11-22T01:00:01Z', to: '2026-11-22T01:00:01Z' }).total).toBe(1);
    expect(log.search({ limit: 1, offset: 1 }).entries.map((e) => e.id)).toEqual([2]);

    const exported = log.exportJsonl({ vesselId: 'MV-1', limit: 1 });
    expect(exported.count).toBe(2);
    expect(exported.filename).toMatch(/^helmlink-audit-2026-11-22T01-00-02-000Z\.jsonl$/u);
    expect(
      exported.jsonl
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: number }).id),
    ).toEqual([1, 2]);

    const reopened = new AuditLog(path, clock);
    expect(reopened.search({}).total).toBe(3);
    expect(reopened.append({ kind: 'identity.removed', verdict: 'ok' }).id).toBe(4);
  });

  it('skips a torn last line after a crash', () => {
    const dir = tempDir();
    const path = join(dir, 'audit.jsonl');
    const log = new AuditLog(path, frozenClock(new Date()));
    log.append({ kind: 'command.sent', verdict: 'sent' });
    appendFileSync(path, '{"id":2,"kind":"comm');
    expect(new AuditLog(path, frozenClock(new Date())).search({}).total).toBe(1);
  });
});
