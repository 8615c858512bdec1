/**
 * Whether two views of a vessel show the same thing. Every `fleet.vessels` event carries the whole fleet as fresh
 * objects; keeping the previous object for an unchanged vessel lets the overview re-render only the rows that
 * changed (500 vessels, one of them updated).
 */
import type { PeerCertificateView, StreamStateView, VesselView } from '@helmlink/app-preload';

const signerKey = (s: PeerCertificateView | null): string =>
  s
    ? `${s.verified}|${s.revocation}|${s.checkedAt}|${s.chain[0]?.fingerprintSha256 ?? ''}|${s.error?.code ?? ''}`
    : '';

const sameStreams = (a: readonly StreamStateView[], b: readonly StreamStateView[]): boolean =>
  a.length === b.length &&
  a.every((s, i) => {
    const t = b[i]!;
    return (
      s.id === t.id &&
      s.on === t.on &&
      s.address === t.address &&
      s.name === t.name &&
      s.kind === t.kind &&
      s.bitrateBps === t.bitrateBps &&
      s.critical === t.critical
    );
  });

/** True when `a` and `b` render identically (the signer's certificate compared by fingerprint and verdict). */
export function sameVessel(a: VesselView, b: VesselView): boolean {
  if (a === b) return true;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof VesselView>;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (k === 'signer') {
      if (signerKey(x as PeerCertificateView | null) !== signerKey(y as PeerCertificateView | null))
        return false;
    } else if (k === 'streams') {
      if (!sameStreams(x as StreamStateView[], y as StreamStateView[])) return false;
    } else if (JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}
