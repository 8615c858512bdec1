/** The maritime tables are generated from their named sources, not written by hand. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error the generator is a plain .mjs script without types
import { OUTPUT, render } from '../../../scripts/gen-maritime-tables.mjs';
import { MARITIME_TABLE_SOURCES } from '../../src/vocabulary/maritime-tables';

describe('maritime tables', () => {
  it('are exactly what the generator makes of the sources (iso-codes, the ITU MID table)', () => {
    expect(readFileSync(OUTPUT as string, 'utf8')).toBe((render as () => string)());
    expect(MARITIME_TABLE_SOURCES.iso3166).toMatch(/^Debian iso-codes /u);
    expect(MARITIME_TABLE_SOURCES.mid).toMatch(/ITU-R M\.585/u);
  });
});
