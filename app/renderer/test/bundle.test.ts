import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('renderer bundle', () => {
  it('pulls in no reflect-metadata, no @peculiar/x509 and no protocol module outside the vocabulary', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/main.tsx', import.meta.url))],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'browser',
      jsx: 'automatic',
      loader: { '.css': 'empty' },
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.includes('protocol/src/vocabulary/'))).toBe(true);
    expect(
      inputs.filter((p) => /reflect-metadata|@peculiar|protocol\/src\/(?!vocabulary\/|errors\.ts)/u.test(p)),
    ).toEqual([]);
  });
});
