/** A region that scrolls sideways at narrow widths; focusable (and named) so keyboard users can scroll it. */
import type { ReactNode } from 'react';

export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="hl-scroll-x" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
