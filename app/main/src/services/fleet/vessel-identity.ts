/** A vessel's certified name, IMO number, MMSI and flag, read from its verified certificate (x5c leaf). */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { base64ToBytes, readIdentity } from '@helmlink/protocol';
import type { VesselIdentityView, VesselLabel } from '@helmlink/app-preload';

/** No certified attributes (no verified state yet). */
export const NO_IDENTITY: VesselIdentityView = Object.freeze({
  name: null,
  imo: null,
  mmsi: null,
  flag: null,
});

/**
 * The maritime attributes the CA wrote into the leaf of a verified x5c (profile SAN URIs). Call it only after the
 * token carrying `x5c` verified: the chain is then trusted, so the attributes need no further check.
 */
export function vesselIdentityOf(x5c: readonly string[]): VesselIdentityView {
  const leaf = x5c[0];
  if (!leaf) return NO_IDENTITY;
  const id = readIdentity(new x509.X509Certificate(base64ToBytes(leaf) as Uint8Array<ArrayBuffer>));
  return { name: id.name ?? null, imo: id.imo ?? null, mmsi: id.mmsi ?? null, flag: id.flag ?? null };
}

/** A vessel named for people (history, audit). */
export function vesselLabel(vesselId: string, identity: VesselIdentityView): VesselLabel {
  return { vesselId, name: identity.name, imo: identity.imo };
}
