/**
 * Link profiles of ships at sea, as the issue describes them. Each direction has its own delay and bandwidth;
 * "to the ship" is the broker → vessel direction, "from the ship" the vessel → broker one.
 */
import type { DirectionProfile } from './pipe';

export interface LinkProfile {
  name: string;
  toShip: DirectionProfile;
  fromShip: DirectionProfile;
  /** A periodic outage (blackhole): `forMs` of every `everyMs`. */
  outage?: { everyMs: number; forMs: number };
}

/** Geostationary VSAT: RTT 600 ms, 512 kbit/s to the ship, 256 kbit/s from it. */
export const GEO_VSAT: LinkProfile = {
  name: 'GEO VSAT',
  toShip: { delayMs: 300, rateBps: 512_000 },
  fromShip: { delayMs: 300, rateBps: 256_000 },
};

/** Low Earth orbit: RTT 50 ms, 20 Mbit/s both ways, a 5 s outage every 60 s (satellite hand-over). */
export const LEO: LinkProfile = {
  name: 'LEO',
  toShip: { delayMs: 25, rateBps: 20_000_000 },
  fromShip: { delayMs: 25, rateBps: 20_000_000 },
  outage: { everyMs: 60_000, forMs: 5_000 },
};

/** Coastal 4G: RTT 80 ms. */
export const COASTAL_4G: LinkProfile = {
  name: 'coastal 4G',
  toShip: { delayMs: 40 },
  fromShip: { delayMs: 40 },
};

/** Loopback with no shaping (a reference). */
export const DIRECT: LinkProfile = { name: 'direct', toShip: { delayMs: 0 }, fromShip: { delayMs: 0 } };

export const LINK_PROFILES = { geo: GEO_VSAT, leo: LEO, coastal4g: COASTAL_4G } as const;

/** The round-trip time of a profile, ms. */
export function roundTripMs(p: LinkProfile): number {
  return p.toShip.delayMs + p.fromShip.delayMs;
}
