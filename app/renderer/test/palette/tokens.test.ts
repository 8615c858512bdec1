import { describe, expect, it } from 'vitest';
import { contrast, luminance, rgbOf } from '../../src/palette/contrast';
import { PALETTES, PALETTE_TOKENS, TONES } from '../../src/palette/tokens';

const TEXT = 4.5;
const UI = 3;

/** Every pair drawn together, with the ratio WCAG 2.2 AA asks for. */
function pairs(p: (typeof PALETTES)[number]): [string, string, string, number][] {
  const t = PALETTE_TOKENS[p];
  const out: [string, string, string, number][] = [];
  for (const bg of ['body', 'surface'] as const) {
    out.push([`text on ${bg}`, t.text, t[bg], TEXT]);
    out.push([`dimmed on ${bg}`, t.dimmed, t[bg], TEXT]);
    out.push([`placeholder on ${bg}`, t.placeholder, t[bg], TEXT]);
    out.push([`border on ${bg}`, t.border, t[bg], UI]);
    out.push([`focus ring on ${bg}`, t.focus, t[bg], UI]);
    for (const [k, c] of Object.entries(t.data)) out.push([`data dot ${k} on ${bg}`, c, t[bg], UI]);
    for (const tone of TONES) {
      out.push([`${tone} text on ${bg}`, t.tones[tone].fg, t[bg], TEXT]);
    }
  }
  out.push(['disabled text on its fill', t.disabledText, t.disabledFill, UI]);
  // A switch that is on: its track is the primary tone's fg, its thumb the body colour.
  out.push(['switch thumb on the "on" track', t.body, t.tones.primary.fg, UI]);
  for (const tone of TONES) {
    out.push([`${tone} text on its tint`, t.tones[tone].fg, t.tones[tone].tint, TEXT]);
    out.push([`text on ${tone} tint`, t.text, t.tones[tone].tint, TEXT]);
    out.push([`on-fill text on ${tone} fill`, t.onFill, t.tones[tone].fill, TEXT]);
  }
  return out;
}

describe('palette tokens meet WCAG 2.2 AA', () => {
  for (const p of PALETTES) {
    it(`${p}: text ≥ 4.5:1, components and state indicators ≥ 3:1`, () => {
      const failures = pairs(p)
        .map(([what, fg, bg, min]) => ({ what, ratio: contrast(fg, bg), min }))
        .filter((r) => r.ratio < r.min)
        .map((r) => `${r.what}: ${r.ratio.toFixed(2)} < ${r.min}`);
      expect(failures).toEqual([]);
    });
  }

  it('computes ratios as WCAG does (black on white 21:1, equal colours 1:1)', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrast('#abcdef', '#abcdef')).toBe(1);
    expect(() => rgbOf('red')).toThrow(TypeError);
  });

  it('night is dim and low in blue: no blue channel above half the red one, text luminance ≤ 0.45', () => {
    const t = PALETTE_TOKENS.night;
    const all = [
      t.body,
      t.surface,
      t.text,
      t.dimmed,
      t.border,
      t.divider,
      t.placeholder,
      t.focus,
      t.onFill,
      t.disabledText,
      t.disabledFill,
      ...Object.values(t.data),
      ...TONES.flatMap((tone) => Object.values(t.tones[tone])),
    ];
    const blue = all.filter((c) => {
      const [r, , b] = rgbOf(c);
      return b > r / 2;
    });
    expect(blue).toEqual([]);
    expect(luminance(t.text)).toBeLessThanOrEqual(0.45);
    expect(luminance(t.body)).toBeLessThan(0.01);
  });

  it('"on" switches are not in the red family of "rejected", and the three data dots differ', () => {
    for (const p of PALETTES) {
      const t = PALETTE_TOKENS[p];
      const hue = (c: string): number => {
        const [r, g, b] = rgbOf(c).map((x) => x / 255) as [number, number, number];
        const max = Math.max(r, g, b);
        const min = Math.min(r, g, b);
        if (max === min) return 0;
        const d = max - min;
        const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
        return (h * 60 + 360) % 360;
      };
      const gap = Math.abs(hue(t.tones.primary.fill) - hue(t.tones.danger.fill));
      expect(Math.min(gap, 360 - gap), `${p} hue gap on/rejected`).toBeGreaterThanOrEqual(30);
      const { flowing, silent, off } = t.data;
      const dotGap = Math.abs(hue(flowing) - hue(silent));
      expect(Math.min(dotGap, 360 - dotGap), `${p} hue gap flowing/silent`).toBeGreaterThanOrEqual(30);
      expect(new Set([flowing, silent, off]).size).toBe(3);
    }
  });
});
