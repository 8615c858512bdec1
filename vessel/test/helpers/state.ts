/** Fixtures of the state-file tests: the catalog, a frozen clock, a fresh file and a handled command's ack. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IEC_61162_450_CATALOG } from '@helmlink/protocol';

export const catalog = IEC_61162_450_CATALOG;
export const all = catalog.streams.map((s) => s.address);
export const NOW = Date.parse('2026-11-22T00:00:00Z');
export const clock = (): number => NOW;

/** A path for a new state file in a fresh temporary folder. */
export const file = (): string => join(mkdtempSync(join(tmpdir(), 'vessel-state-')), 'state.jsonl');

/** The stored ack of command `n` (pilot `pilot`, jti `jti-n`), remembered until `expiresAt` (epoch seconds). */
export const ack = (n: number, expiresAt = NOW / 1000 + 60) => ({
  cmdSha256: `sha-${n}`,
  iss: 'pilot',
  jti: `jti-${n}`,
  ack: `ack-${n}`,
  expiresAt,
});
