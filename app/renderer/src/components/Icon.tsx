/** The console's few icons as inline SVG (no icon font, nothing fetched): each state has its own shape. */
import type { CSSProperties } from 'react';

const PATHS = {
  /** verified: a shield with a check */
  shieldCheck:
    'M12 2 4 5v6c0 5 3.4 9.3 8 11 4.6-1.7 8-6 8-11V5l-8-3Zm-1.2 13.6-3.5-3.5 1.4-1.4 2.1 2.1 4.6-4.6 1.4 1.4-6 6Z',
  /** unverified: a shield with a cross */
  shieldX:
    'M12 2 4 5v6c0 5 3.4 9.3 8 11 4.6-1.7 8-6 8-11V5l-8-3Zm3.5 12.1-1.4 1.4L12 13.4l-2.1 2.1-1.4-1.4 2.1-2.1-2.1-2.1 1.4-1.4 2.1 2.1 2.1-2.1 1.4 1.4-2.1 2.1 2.1 2.1Z',
  /** stale: a clock */
  clock:
    'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16Zm1-13h-2v6l5 3 1-1.7-4-2.3V7Z',
  /** link down: a broken link */
  linkOff:
    'M17 7h-3v2h3a3 3 0 0 1 .9 5.86l1.5 1.5A5 5 0 0 0 17 7ZM2.8 2.8 1.4 4.2l3.1 3.1A5 5 0 0 0 7 17h3v-2H7a3 3 0 0 1-.9-5.86l2.1 2.1V13h1.8l2 2H14v1.8l5.8 5.8 1.4-1.4L2.8 2.8ZM8 11v2h.2l-2-2H8Z',
  /** pending: an hourglass */
  hourglass: 'M6 2v6l4 4-4 4v6h12v-6l-4-4 4-4V2H6Zm10 14.5V20H8v-3.5l4-4 4 4ZM12 11.5l-4-4V4h8v3.5l-4 4Z',
  /** applied: a double check */
  checkDouble:
    'm.4 13.4 1.4-1.4 4.6 4.6-1.4 1.4L.4 13.4ZM22.2 5.8l1.4 1.4L12.4 18.4 7 13l1.4-1.4 4 4 9.8-9.8ZM18 7.2 12.4 12.8 11 11.4l5.6-5.6L18 7.2Z',
  /** rejected: a no-entry sign */
  ban: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20ZM4 12a8 8 0 0 1 12.9-6.3L5.7 16.9A8 8 0 0 1 4 12Zm8 8a8 8 0 0 1-4.9-1.7L18.3 7.1A8 8 0 0 1 12 20Z',
  /** expired: a calendar with a cross */
  timerOff:
    'M19 4h-1V2h-2v2H8V2H6v2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2Zm0 16H5V9h14v11Zm-9.6-2 2.6-2.6 2.6 2.6 1.4-1.4-2.6-2.6 2.6-2.6-1.4-1.4-2.6 2.6L9.4 10 8 11.4l2.6 2.6L8 16.6 9.4 18Z',
  /** a warning triangle */
  alert: 'M1 21h22L12 2 1 21Zm12-3h-2v-2h2v2Zm0-4h-2v-4h2v4Z',
  /** connected: a plug */
  plug: 'M16 7V3h-2v4h-4V3H8v4H7v6l3.5 3.5V21h3v-4.5L17 13V7h-1Z',
} as const;

export type IconName = keyof typeof PATHS;

/** An icon in the current text colour; decorative (hidden from assistive technology: the words carry the meaning). */
export function Icon({ name, size = 14, style }: { name: IconName; size?: number; style?: CSSProperties }) {
  return (
    <svg
      viewBox="0 0 24 24"
      width={size}
      height={size}
      aria-hidden="true"
      focusable="false"
      style={{ flex: 'none', ...style }}
      data-icon={name}
    >
      <path fill="currentColor" d={PATHS[name]} />
    </svg>
  );
}
