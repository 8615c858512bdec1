import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { AuditEntry } from '@helmlink/app-preload';
import { api, call } from '../api/current';
import { friendlyError, type FriendlyError } from '../logic/errors';
import { matchesSearch } from '../logic/jsonl';

/** The audit log view: a text search over commands, acks, states and PKI actions. */
export interface AuditStoreState {
  query: string;
  entries: AuditEntry[];
  total: number;
  loading: boolean;
  exporting: boolean;
  error: FriendlyError | null;
}

/** Most entries kept on screen; the export covers everything that matches. */
export const AUDIT_PAGE = 500;

export const auditStore = createStore<AuditStoreState>(() => ({
  query: '',
  entries: [],
  total: 0,
  loading: false,
  exporting: false,
  error: null,
}));

/** React hook over the audit store. */
export function useAudit<T>(selector: (s: AuditStoreState) => T): T {
  return useStore(auditStore, selector);
}

let searchSeq = 0;

/** Sets the search text and reloads the matching entries (main searches the whole log). */
export async function searchAudit(query = auditStore.getState().query): Promise<void> {
  const seq = ++searchSeq;
  auditStore.setState({ query, loading: true });
  try {
    const text = query.trim();
    const res = await call(api().audit.search({ ...(text ? { text } : {}), limit: AUDIT_PAGE }));
    if (seq !== searchSeq) return; // a newer search superseded this one
    auditStore.setState({ entries: res.entries, total: res.total, error: null });
  } catch (err) {
    if (seq === searchSeq) auditStore.setState({ error: friendlyError(err) });
  } finally {
    if (seq === searchSeq) auditStore.setState({ loading: false });
  }
}

/** A live entry: shown at the top when it matches the current search. */
export function applyAuditEntry(entry: AuditEntry): void {
  const s = auditStore.getState();
  if (!matchesSearch(entry, s.query) || s.entries.some((e) => e.id === entry.id)) return;
  auditStore.setState({ entries: [entry, ...s.entries].slice(0, AUDIT_PAGE), total: s.total + 1 });
}

/** Exports the matching entries as JSON Lines; resolves with the file name and text (the UI saves it). */
export async function exportAudit(): Promise<{ filename: string; jsonl: string; count: number } | undefined> {
  auditStore.setState({ exporting: true });
  try {
    const text = auditStore.getState().query.trim();
    return await call(api().audit.export(text ? { text } : {}));
  } catch (err) {
    auditStore.setState({ error: friendlyError(err) });
    return undefined;
  } finally {
    auditStore.setState({ exporting: false });
  }
}
