/**
 * The console's three palettes as colour tokens: the one source for the Mantine theme (theme.ts) and for the
 * contrast test (test/palette/tokens.test.ts), which checks WCAG 2.2 AA over every pair that is drawn together.
 */

/** The console palettes. `night` is dim and low in blue light for a darkened bridge or operations room. */
export const PALETTES = ['light', 'dark', 'night'] as const;
export type Palette = (typeof PALETTES)[number];

/**
 * Semantic tones. `primary` also colours switches that are on (never the red family of `danger`); `ok` is verified
 * and applied, `danger` unverified and rejected, `warning` expired and on-but-silent, `info` pending, `linkDown`
 * a lost link, `stale` state whose source is gone, `neutral` anything off or unknown.
 */
export const TONES = ['primary', 'ok', 'danger', 'warning', 'info', 'neutral', 'linkDown', 'stale'] as const;
export type Tone = (typeof TONES)[number];

/** One tone: `fg` is text and icons on the body, the surface and `tint`; `fill` a solid background under `onFill`
 * (filled buttons and badges, identified by their text); switches, icons and dots use `fg`. */
export interface ToneTokens {
  fg: string;
  fill: string;
  tint: string;
}

export interface PaletteTokens {
  scheme: 'light' | 'dark';
  /** Page background. */
  body: string;
  /** Cards, header, table stripes and inputs. */
  surface: string;
  text: string;
  /** Secondary text (labels, hints, ages). */
  dimmed: string;
  /** Boundaries of interactive components (inputs, switch tracks, buttons), ≥ 3:1 against body and surface. */
  border: string;
  /** Decorative separators (no contrast requirement). */
  divider: string;
  placeholder: string;
  focus: string;
  /** Text on every tone's `fill`. */
  onFill: string;
  /** Text of disabled controls on `disabledFill`. */
  disabledText: string;
  disabledFill: string;
  tones: Record<Tone, ToneTokens>;
  /** The data indicator: flowing, on but silent, off/stopped (also told apart by shape). */
  data: { flowing: string; silent: string; off: string };
}

const light: PaletteTokens = {
  scheme: 'light',
  body: '#ffffff',
  surface: '#f3f4f6',
  text: '#16181b',
  dimmed: '#50575e',
  border: '#767d85',
  divider: '#d5d9de',
  placeholder: '#5f666d',
  focus: '#1d5ba6',
  onFill: '#ffffff',
  disabledText: '#5f666d',
  disabledFill: '#e4e7eb',
  tones: {
    primary: { fg: '#1d5ba6', fill: '#1d5ba6', tint: '#e4edf8' },
    ok: { fg: '#1a6b2e', fill: '#1a6b2e', tint: '#e2f2e5' },
    danger: { fg: '#b0261e', fill: '#b0261e', tint: '#fbe8e6' },
    warning: { fg: '#865700', fill: '#865700', tint: '#faf0da' },
    info: { fg: '#0a5c78', fill: '#0a5c78', tint: '#dff0f5' },
    neutral: { fg: '#50575e', fill: '#50575e', tint: '#eceef1' },
    linkDown: { fg: '#673d9c', fill: '#673d9c', tint: '#efe8f7' },
    stale: { fg: '#665838', fill: '#665838', tint: '#f1ede3' },
  },
  data: { flowing: '#1a6b2e', silent: '#865700', off: '#5f666d' },
};

const dark: PaletteTokens = {
  scheme: 'dark',
  body: '#1b1d21',
  surface: '#25282d',
  text: '#e8eaed',
  dimmed: '#aab0b7',
  border: '#858b93',
  divider: '#3a3e44',
  placeholder: '#a0a6ad',
  focus: '#7ab4f5',
  onFill: '#ffffff',
  disabledText: '#a0a6ad',
  disabledFill: '#33373d',
  tones: {
    primary: { fg: '#7ab4f5', fill: '#1c5fa8', tint: '#1d2c3f' },
    ok: { fg: '#6fcf85', fill: '#1d6b33', tint: '#1b2f22' },
    danger: { fg: '#ff9086', fill: '#b02a20', tint: '#3c1f1d' },
    warning: { fg: '#f0b45a', fill: '#855600', tint: '#392c15' },
    info: { fg: '#6cc6e0', fill: '#0b5e79', tint: '#16303a' },
    neutral: { fg: '#b8bec5', fill: '#50575e', tint: '#2c3036' },
    linkDown: { fg: '#c9a5f5', fill: '#673d9c', tint: '#2f2540' },
    stale: { fg: '#cdb992', fill: '#665838', tint: '#302b21' },
  },
  data: { flowing: '#6fcf85', silent: '#f0b45a', off: '#8f959d' },
};

// Night: no channel of blue above half the red one, the brightest text dim (luminance ≤ 0.45) on a near-black body.
const night: PaletteTokens = {
  scheme: 'dark',
  body: '#100806',
  surface: '#1c110c',
  text: '#d8a46a',
  dimmed: '#b08458',
  border: '#946a48',
  divider: '#3a2418',
  placeholder: '#a57b52',
  focus: '#e0a050',
  onFill: '#ecc070',
  disabledText: '#a57b52',
  disabledFill: '#2a1a12',
  tones: {
    primary: { fg: '#c8b248', fill: '#4e4410', tint: '#28220c' },
    ok: { fg: '#aabb4a', fill: '#3f4a0e', tint: '#1f240b' },
    danger: { fg: '#f27c5a', fill: '#7a2010', tint: '#34130e' },
    warning: { fg: '#e2a040', fill: '#5e3c08', tint: '#2f200b' },
    info: { fg: '#e8b070', fill: '#5a3814', tint: '#2c1d0f' },
    neutral: { fg: '#b48a56', fill: '#4a3222', tint: '#24170f' },
    linkDown: { fg: '#d8806a', fill: '#6a2c20', tint: '#2e1510' },
    stale: { fg: '#bb9c5a', fill: '#4a3a18', tint: '#261c0e' },
  },
  data: { flowing: '#aabb4a', silent: '#e2a040', off: '#946a48' },
};

/** Every palette's tokens. */
export const PALETTE_TOKENS: Record<Palette, PaletteTokens> = { light, dark, night };
