import { createTheme, type MantineColorsTuple, type MantineThemeOverride } from '@mantine/core';

/** The three console palettes. `night` is dim and low in blue light for a darkened bridge or ops room. */
export const PALETTES = ['light', 'dark', 'night'] as const;
export type Palette = (typeof PALETTES)[number];

/** Human labels for the palette picker. */
export const PALETTE_LABELS: Record<Palette, string> = {
  light: 'Light',
  dark: 'Dark',
  night: 'Night (dim, low blue)',
};

// Night: every tone sits in red–amber (no blue channel above ~0x30) and the brightest text stays dim.
const nightDark: MantineColorsTuple = [
  '#b8876a',
  '#a07660',
  '#87624f',
  '#6c4e40',
  '#4d372d',
  '#36251e',
  '#281a15',
  '#1c110d',
  '#140c09',
  '#0d0706',
];
const nightRed: MantineColorsTuple = [
  '#d8a090',
  '#c98a78',
  '#bb7563',
  '#ad604e',
  '#c0583e',
  '#8f2b19',
  '#7a2517',
  '#641f15',
  '#4e1a13',
  '#3a1410',
];
const nightAmber: MantineColorsTuple = [
  '#d4b080',
  '#c8a06a',
  '#bc9055',
  '#b08040',
  '#b8893e',
  '#7a5918',
  '#654a14',
  '#503a10',
  '#3b2b0c',
  '#2a1f08',
];
const nightOlive: MantineColorsTuple = [
  '#c0b888',
  '#b0a870',
  '#a09858',
  '#909040',
  '#a09a48',
  '#5d5d1e',
  '#4a4a18',
  '#3a3a13',
  '#2e2e0f',
  '#22220b',
];

const base: MantineThemeOverride = {
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif',
  fontFamilyMonospace: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
  defaultRadius: 'sm',
  focusRing: 'auto',
};

/** The Mantine theme for a palette. */
export function themeFor(palette: Palette): MantineThemeOverride {
  if (palette !== 'night') return createTheme({ ...base, primaryColor: 'blue' });
  return createTheme({
    ...base,
    primaryColor: 'nightRed',
    primaryShade: { light: 5, dark: 5 },
    colors: {
      dark: nightDark,
      nightRed,
      // Semantic colours used by badges and banners, re-tinted without blue.
      blue: nightRed,
      cyan: nightAmber,
      indigo: nightRed,
      teal: nightOlive,
      green: nightOlive,
      yellow: nightAmber,
      orange: nightAmber,
      red: nightRed,
      gray: nightDark,
    },
    white: '#b8876a',
    black: '#0d0706',
  });
}

/** The Mantine colour scheme a palette renders with. */
export function colorSchemeFor(palette: Palette): 'light' | 'dark' {
  return palette === 'light' ? 'light' : 'dark';
}
