import {
  createTheme,
  type CSSVariablesResolver,
  type MantineColorsTuple,
  type MantineThemeOverride,
} from '@mantine/core';
import { PALETTES, PALETTE_TOKENS, type Palette, type PaletteTokens, type Tone } from './palette/tokens';

export { PALETTES, type Palette };

/** Human labels for the palette picker. */
export const PALETTE_LABELS: Record<Palette, string> = {
  light: 'Light',
  dark: 'Dark',
  night: 'Night (dim, low blue)',
};

/** Mantine colour names the screens use, each drawn in one semantic tone of the palette. */
const COLOR_TONES: Record<string, Tone> = {
  blue: 'primary',
  indigo: 'primary',
  green: 'ok',
  teal: 'ok',
  lime: 'ok',
  red: 'danger',
  pink: 'danger',
  orange: 'warning',
  yellow: 'warning',
  cyan: 'info',
  violet: 'linkDown',
  grape: 'linkDown',
  gray: 'neutral',
};

const tuple = (t: PaletteTokens, tone: Tone): MantineColorsTuple => {
  const { fg, fill, tint } = t.tones[tone];
  return [tint, tint, tint, fg, fg, fg, fill, fill, fill, fill];
};

/** Mantine's neutral scales (`gray` in light, `dark` in dark schemes) rebuilt from the palette. */
function neutralScale(t: PaletteTokens): MantineColorsTuple {
  return t.scheme === 'light'
    ? [
        t.body,
        t.surface,
        t.disabledFill,
        t.divider,
        t.border,
        t.placeholder,
        t.dimmed,
        t.dimmed,
        t.text,
        t.text,
      ]
    : [t.text, t.text, t.dimmed, t.placeholder, t.border, t.divider, t.surface, t.body, t.body, t.body];
}

const base: MantineThemeOverride = {
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif',
  fontFamilyMonospace: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
  defaultRadius: 'sm',
  focusRing: 'auto',
  primaryColor: 'blue',
  primaryShade: { light: 6, dark: 6 },
  autoContrast: false,
  // Square-ish badges: when a long badge wraps (it never truncates) it stays a readable box, not a blob.
  components: {
    Badge: { defaultProps: { radius: 'sm' } },
    // Dialogs open at once (no fade: nothing is ever drawn at partial contrast) and their close button has a name.
    Modal: {
      defaultProps: {
        transitionProps: { duration: 0 },
        closeButtonProps: { 'aria-label': 'Close the dialog' },
      },
    },
  },
};

/** The Mantine theme for a palette: every colour the screens use comes from the palette's tokens. */
export function themeFor(palette: Palette): MantineThemeOverride {
  const t = PALETTE_TOKENS[palette];
  const colors: Record<string, MantineColorsTuple> = {};
  for (const [name, tone] of Object.entries(COLOR_TONES)) colors[name] = tuple(t, tone);
  if (t.scheme === 'light') colors.gray = neutralScale(t);
  else colors.dark = neutralScale(t);
  return createTheme({ ...base, colors, white: t.onFill, black: t.text });
}

/** The CSS variables of a palette: Mantine's semantic variables and the console's own `--hl-*` tokens. */
export function paletteVariables(palette: Palette): Record<string, string> {
  const t = PALETTE_TOKENS[palette];
  const v: Record<string, string> = {
    '--mantine-color-body': t.body,
    '--mantine-color-text': t.text,
    '--mantine-color-bright': t.text,
    '--mantine-color-dimmed': t.dimmed,
    '--mantine-color-placeholder': t.placeholder,
    '--mantine-color-anchor': t.tones.primary.fg,
    '--mantine-color-error': t.tones.danger.fg,
    '--mantine-color-success': t.tones.ok.fg,
    '--mantine-color-default': t.surface,
    '--mantine-color-default-hover': t.disabledFill,
    '--mantine-color-default-color': t.text,
    '--mantine-color-default-border': t.border,
    '--mantine-color-disabled': t.disabledFill,
    '--mantine-color-disabled-color': t.disabledText,
    '--mantine-color-disabled-border': t.divider,
    '--mantine-primary-color-contrast': t.onFill,
    '--hl-body': t.body,
    '--hl-surface': t.surface,
    '--hl-text': t.text,
    '--hl-dimmed': t.dimmed,
    '--hl-border': t.border,
    '--hl-divider': t.divider,
    '--hl-focus': t.focus,
    '--hl-on-fill': t.onFill,
    '--hl-switch-on': t.tones.primary.fg,
    '--hl-data-flowing': t.data.flowing,
    '--hl-data-silent': t.data.silent,
    '--hl-data-off': t.data.off,
  };
  for (const [tone, tk] of Object.entries(t.tones)) {
    v[`--hl-${tone}`] = tk.fg;
    v[`--hl-${tone}-fill`] = tk.fill;
    v[`--hl-${tone}-tint`] = tk.tint;
  }
  for (const [name, tone] of Object.entries(COLOR_TONES)) {
    const { fg, fill, tint } = t.tones[tone];
    Object.assign(v, {
      [`--mantine-color-${name}-filled`]: fill,
      [`--mantine-color-${name}-filled-hover`]: fill,
      [`--mantine-color-${name}-light`]: tint,
      [`--mantine-color-${name}-light-hover`]: tint,
      [`--mantine-color-${name}-light-color`]: fg,
      [`--mantine-color-${name}-outline`]: fg,
      [`--mantine-color-${name}-outline-hover`]: tint,
      [`--mantine-color-${name}-text`]: fg,
    });
  }
  return v;
}

/** Mantine's CSS variables resolver for a palette (the same variables whichever colour scheme is forced). */
export function cssResolverFor(palette: Palette): CSSVariablesResolver {
  const v = paletteVariables(palette);
  return () => ({ variables: {}, light: v, dark: v });
}

/** The Mantine colour scheme a palette renders with. */
export function colorSchemeFor(palette: Palette): 'light' | 'dark' {
  return PALETTE_TOKENS[palette].scheme;
}
