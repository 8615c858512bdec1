import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@helmlink/app-preload';
import { bindApi } from '../../src/api/current';
import { applyAuditEntry, auditStore, exportAudit, searchAudit } from '../../src/stores/audit';
import { createTestApi, type TestApi } from '../support/test-api';

let t: TestApi;
const entry = (id: number, vesselId: string, verdict: string): AuditEntry => ({
  id,
  at: '2026-11-22T02:00:00.000Z',
  kind: 'ack.verified',
  vesselId,
  vessel: null,
  streams: null,
  commandId: `c${id}`,
  actor: 'pilot-7',
  verdict,
  code: null,
  message: null,
  vesselText: null,
  token: null,
  rttMs: 12,
});

beforeEach(() => {
  t = createTestApi();
  bindApi(t.api);
  auditStore.setState(auditStore.getInitialState(), true);
});

describe('audit store', () => {
  it('searches in main and keeps only the newest answer', async () => {
    const answers: Array<(v: unknown) => void> = [];
    t.handle('audit.search', () => new Promise((resolve) => answers.push(resolve as (v: unknown) => void)));
    const first = searchAudit('aurora');
    const second = searchAudit('borealis');
    answers[1]!({ ok: true, value: { entries: [entry(2, 'borealis', 'applied')], total: 1 } });
    answers[0]!({ ok: true, value: { entries: [entry(1, 'aurora', 'applied')], total: 1 } });
    await Promise.all([first, second]);
    expect(auditStore.getState().entries.map((e) => e.vesselId)).toEqual(['borealis']);
    expect(t.calls.map((c) => c.request)).toEqual([
      { text: 'aurora', limit: 500 },
      { text: 'borealis', limit: 500 },
    ]);
  });

  it('prepends live entries that match the search', () => {
    auditStore.setState({ query: 'aurora' });
    applyAuditEntry(entry(3, 'aurora', 'rejected'));
    applyAuditEntry(entry(4, 'borealis', 'applied'));
    applyAuditEntry(entry(3, 'aurora', 'rejected'));
    expect(auditStore.getState().entries.map((e) => e.id)).toEqual([3]);
    expect(auditStore.getState().total).toBe(1);
  });

  it('exports the current search as JSON Lines from main', async () => {
    auditStore.setState({ query: ' rejected ' });
    t.ok('audit.export', { filename: 'audit.jsonl', jsonl: '{"id":1}\n', count: 1 });
    expect(await exportAudit()).toEqual({ filename: 'audit.jsonl', jsonl: '{"id":1}\n', count: 1 });
    expect(t.calls.at(-1)?.request).toEqual({ text: 'rejected' });
  });
});
