import { createTheme, type MantineColorsTuple, type MantineThemeOverride } from '@mantine/core';

/** The three console palettes. `night` is dim and low in blue light for a darkened bridge or ops room. */
export const PALETTES = ['light', 'dark', 'night'] as const;
export type Palette = (typeof PALETTES)[number];

/** Human labels for the palette picker. */
export const PALETTE_LABELS: Record<Palette, string> = { light: 'Light', dark: 'Dark', night: 'Night (dim, low blue)' };

// Night: every tone sits in red–amber (no blue channel above ~0x30) and the brightest text stays dim.
const nightDark: MantineColorsTuple = ['#b8876a', '#a07660', '#87624f', '#6c4e40', '#4d372d', '#36251e', '#281a15', '#1c110d', '#140c09', '#0d0706'];
const nightRed: MantineColorsTuple = ['#3a1410', '#4e1a13', '#641f15', '#7a2517', '#8f2b19', '#a0321c', '#8a2a17', '#742314', '#5e1c10', '#48150c'];
const nightAmber: MantineColorsTuple = ['#3a2a0c', '#4a3610', '#5c4313', '#6e5016', '#805d19', '#8f681c', '#7a5918', '#654a14', '#503a10', '#3b2b0c'];
const nightOlive: MantineColorsTuple = ['#2a2a0e', '#363612', '#434316', '#50501a', '#5d5d1e', '#6a6a22', '#5a5a1d', '#4a4a18', '#3a3a13', '#2a2a0e'];

const base: MantineThemeOverride = {
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif',
  fontFamilyMonospace: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
  defaultRadius: 'sm',
  focusRing: 'always',
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
