import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('vocabulary subpath', () => {
  it('bundles from its own files and errors.ts only: no reflect-metadata, no x509, no dependency at all', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../../src/vocabulary/index.ts', import.meta.url))],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'browser',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) => relative(root, p));
    expect(inputs.length).toBeGreaterThan(5);
    for (const input of inputs) expect(input).toMatch(/^protocol\/src\/(vocabulary\/.+|errors)\.ts$/u);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/Reflect\.(defineMetadata|getOwnMetadata)|X509Certificate/u);
  });

  it('is the package subpath @helmlink/protocol/vocabulary', async () => {
    const fromPackage = await import('@helmlink/protocol/vocabulary');
    const fromSource = await import('../../src/vocabulary');
    expect(fromPackage.JWS_ALGORITHMS).toBe(fromSource.JWS_ALGORITHMS);
    expect(fromPackage.ERROR_CODES).toBe(fromSource.ERROR_CODES);
  });
});
