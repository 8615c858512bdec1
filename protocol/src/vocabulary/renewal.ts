/** When a certificate is due for renewal: the one rule the vessel, the console and its UI share. */

/** Certificates are renewed once this fraction of their lifetime has passed. */
export const RENEWAL_AT_FRACTION = 2 / 3;

/** A validity period; an X.509 certificate object fits as it is. */
export interface Validity {
  notBefore: Date | number;
  notAfter: Date | number;
}

export interface RenewalTiming {
  /** Fraction of the lifetime after which renewal is due (default {@link RENEWAL_AT_FRACTION}). */
  atFraction?: number;
  /** Up to this fraction of the lifetime is added at random, so a fleet does not renew at one instant (default 0). */
  jitterFraction?: number;
  /** Random source in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
}

/** Epoch milliseconds at which a certificate with this validity is due for renewal. */
export function renewalDueAt(validity: Validity, timing: RenewalTiming = {}): number {
  const from = +validity.notBefore;
  const lifetime = +validity.notAfter - from;
  const jitter = (timing.jitterFraction ?? 0) * (timing.random ?? Math.random)();
  return (
    from + Math.floor(lifetime * (timing.atFraction ?? RENEWAL_AT_FRACTION)) + Math.floor(lifetime * jitter)
  );
}
