/**
 * Reading the state file (`store.ts` writes it): the snapshot line, then one journal record per handled command.
 *
 * Only a torn *last* line may be dropped: every write appends one whole line ending in `\n` and is fsynced before
 * the ack goes out, so a line without its newline was never acknowledged. Any other damage — a line that is not a
 * record, a record number that does not follow the previous one, an applied sequence number that does not follow
 * the state's — is reported with its line number, never skipped: skipping it would restart the vessel at an older
 * sequence number with older replay entries, and it would apply old commands again.
 */
import type { StateRecord, StateSnapshot, StoredAck, Streams } from './types';

/** One damaged line of the journal (1-based line number in the file). */
export interface JournalDamage {
  line: number;
  reason: string;
}

/** What a state file holds. */
export interface StateFileContents {
  snapshot: StateSnapshot;
  /** Journal records in file order; without damage, each numbered one after the previous. */
  records: StateRecord[];
  /** Damaged lines (empty for a healthy file). */
  damage: JournalDamage[];
  /** True when a torn last line (no newline: never acknowledged) was dropped. */
  tornTail: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function isStreams(v: unknown): v is Streams {
  return isObject(v) && isStringList(v.on) && isStringList(v.off);
}

function isStoredAck(v: unknown): v is StoredAck {
  return (
    isObject(v) &&
    typeof v.cmdSha256 === 'string' &&
    typeof v.iss === 'string' &&
    typeof v.jti === 'string' &&
    typeof v.ack === 'string' &&
    typeof v.expiresAt === 'number' &&
    Number.isFinite(v.expiresAt)
  );
}

/** The snapshot line; throws a plain Error saying why it is not one. */
export function parseSnapshot(line: string): StateSnapshot {
  const s = JSON.parse(line) as unknown;
  if (
    !isObject(s) ||
    s.type !== 'snapshot' ||
    s.v !== 1 ||
    !isCount(s.seq) ||
    !isCount(s.records) ||
    !isStreams(s.streams) ||
    !Array.isArray(s.acks) ||
    !s.acks.every(isStoredAck)
  )
    throw new Error('not a state snapshot');
  return s as unknown as StateSnapshot;
}

/** A journal line as a record, or the reason it is not one. */
function parseRecord(line: string): StateRecord | string {
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return line.length === 0 ? 'an empty line' : 'not JSON';
  }
  if (!isObject(r) || r.type !== 'record' || !isCount(r.n)) return 'not a journal record';
  if (!isStoredAck(r.handled)) return 'the handled command is incomplete';
  if (
    r.applied !== undefined &&
    (!isObject(r.applied) || !isStreams(r.applied.streams) || !isCount(r.applied.seq))
  )
    return 'the applied state is incomplete';
  return r as unknown as StateRecord;
}

/**
 * Reads a state file's text: the snapshot (throws when line 1 is not one), the records and every damaged line.
 * Records are checked in order: each number must follow the previous one, and an applied state's `seq` must be the
 * previous `seq` + 1. After damage, the following records are still listed (numbered on from the last good one), so
 * a repair can keep them.
 */
export function readStateFile(text: string): StateFileContents {
  const lines = text.split('\n');
  const snapshot = parseSnapshot(lines[0]!);
  // The element after the last '\n' is '' for a whole file, or a torn last line (never acknowledged).
  const tail = lines.pop()!;
  const records: StateRecord[] = [];
  const damage: JournalDamage[] = [];
  let n = snapshot.records;
  let seq = snapshot.seq;
  for (let i = 1; i < lines.length; i++) {
    const record = parseRecord(lines[i]!);
    if (typeof record === 'string') {
      damage.push({ line: i + 1, reason: record });
      continue;
    }
    // Once a line is lost, the numbering of what follows cannot be checked against it.
    if (damage.length === 0) {
      const reason =
        record.n !== n + 1
          ? `record number ${record.n} where ${n + 1} was expected`
          : record.applied && record.applied.seq !== seq + 1
            ? `state sequence ${record.applied.seq} where ${seq + 1} was expected`
            : undefined;
      if (reason) {
        damage.push({ line: i + 1, reason });
        continue;
      }
    }
    records.push(record);
    n = record.n;
    if (record.applied) seq = record.applied.seq;
  }
  return { snapshot, records, damage, tornTail: lines.length > 0 && tail.length > 0 };
}
