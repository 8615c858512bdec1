/** The one path rule, MIME table and CSP both renderer hosts (web bridge, Electron app://) serve with. */
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRendererAsset, rendererCsp, securityHeaders } from '../../src/static/renderer-assets';
import { assertRendererBuilt } from '../../src/static/renderer-dir';
import { isHelmlinkError } from '@helmlink/protocol';
import { tempDir } from '../helpers/console';

const parent = tempDir();
const dir = join(parent, 'dist');
mkdirSync(join(dir, 'assets'), { recursive: true });
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
// A file next to the renderer directory, sharing its name as a prefix: must stay out of reach.
writeFileSync(join(parent, 'dist-secret.txt'), 'secret');
writeFileSync(join(parent, 'secret.txt'), 'secret');

describe('renderer assets', () => {
  it('serves index.html for / and client-side routes, assets with their MIME type', async () => {
    expect(await readRendererAsset(dir, '/')).toMatchObject({
      status: 200,
      contentType: 'text/html; charset=utf-8',
    });
    const route = await readRendererAsset(dir, '/fleet');
    expect(route).toMatchObject({ status: 200, file: join(dir, 'index.html') });
    const js = await readRendererAsset(dir, '/assets/app.js');
    expect(js).toMatchObject({ status: 200, contentType: 'text/javascript; charset=utf-8' });
    if (js.status === 200) expect(js.body.toString()).toBe('console.log(1)');
  });

  it('answers 404 for a missing asset and never reads outside the directory', async () => {
    expect(await readRendererAsset(dir, '/assets/missing.js')).toEqual({ status: 404, text: 'Not found' });
    for (const path of [
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%2fdist-secret.txt',
    ]) {
      const r = await readRendererAsset(dir, path);
      expect(r.status).toBe(404);
    }
  });

  it('refuses malformed percent-encoding and NUL bytes', async () => {
    expect(await readRendererAsset(dir, '/%E0%A4%A')).toEqual({ status: 400, text: 'Bad request' });
    expect(await readRendererAsset(dir, '/index.html%00.js')).toEqual({ status: 400, text: 'Bad request' });
  });

  it('has one CSP: no network for Electron, only the bridge WebSocket in a browser', () => {
    const electron = rendererCsp([]);
    expect(electron).toContain("default-src 'none'");
    expect(electron).toContain("script-src 'self'");
    expect(electron).toContain("connect-src 'none'");
    expect(electron).not.toContain('unsafe-eval');
    expect(rendererCsp(['ws://127.0.0.1:1234'])).toContain("connect-src 'self' ws://127.0.0.1:1234");
    expect(securityHeaders(electron)).toMatchObject({
      'Content-Security-Policy': electron,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
  });

  it('names the build command when the renderer is not built', () => {
    let err: unknown;
    try {
      assertRendererBuilt(parent);
    } catch (e) {
      err = e;
    }
    expect(isHelmlinkError(err, 'ERR_RENDERER_NOT_BUILT')).toBe(true);
    expect((err as Error).message).toMatch(/run `npm run build`/u);
    expect(assertRendererBuilt(dir)).toBe(dir);
  });
});
