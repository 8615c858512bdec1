/** JSON Lines (https://jsonlines.org): one JSON value per line, `\n` separated, trailing newline. */
export function toJsonLines(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length > 0 ? '\n' : '');
}

/** Case-insensitive match of every whitespace-separated term against the record's JSON text. */
export function matchesSearch(record: unknown, query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/u).filter(Boolean);
  if (terms.length === 0) return true;
  const text = JSON.stringify(record).toLowerCase();
  return terms.every((t) => text.includes(t));
}
