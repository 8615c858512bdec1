/** A state of the visual grammar as a badge: icon, words and colour together. */
import type { ReactNode } from 'react';
import { TRUTH, type TruthState } from '../logic/grammar';
import { Icon } from './Icon';

export interface TruthBadgeProps {
  state: TruthState;
  /** Replaces the state's own label (e.g. "Verified 12 s ago"). */
  children?: ReactNode;
  size?: 'sm' | 'md';
  testId?: string;
  /** Extra data-* attributes for tests. */
  data?: Record<string, string>;
}

/** Tinted chip with the state's icon and words in the state's tone (text ≥ 4.5:1 on the tint in every palette). */
export function TruthBadge({ state, children, size = 'sm', testId, data }: TruthBadgeProps) {
  const w = TRUTH[state];
  const dataAttrs = Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, v]));
  return (
    <span
      className="hl-truth"
      data-size={size}
      data-truth={state}
      data-testid={testId}
      title={w.meaning}
      style={{
        color: `var(--hl-${w.tone})`,
        background: `var(--hl-${w.tone}-tint)`,
        borderColor: `var(--hl-${w.tone})`,
      }}
      {...dataAttrs}
    >
      <Icon name={w.icon} size={size === 'md' ? 16 : 13} />
      <span>{children ?? w.label}</span>
    </span>
  );
}
