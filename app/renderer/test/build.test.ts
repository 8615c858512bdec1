import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const indexHtml = readFileSync(fileURLToPath(new URL('../index.html', import.meta.url)), 'utf8');

describe('renderer page (CSP-friendly)', () => {
  it('has no inline script and no inline event handler', () => {
    const scripts = [...indexHtml.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/giu)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc=/u);
      expect(body!.trim()).toBe('');
    }
    expect(indexHtml).not.toMatch(/\son[a-z]+\s*=/iu);
  });

  it('uses only relative URLs (base ./) so it loads from a file, app:// or the loopback bridge', () => {
    for (const [, url] of indexHtml.matchAll(/\b(?:src|href)="([^"]+)"/gu))
      expect(url).toMatch(/^(\.\/|data:)/u);
  });
});
