/**
 * What may be certified, given what already was: one key and one maritime identifier (IMO, MMSI) belong to one
 * entity, and a key revoked for keyCompromise is never certified again. Called inside the transaction that stores
 * the new certificate, so two concurrent requests cannot both pass.
 */
import { HelmlinkError, REVOCATION_REASONS } from '@helmlink/protocol';
import type { CaStore } from '../store/types';

/** What a new certificate would bind. */
export interface Binding {
  entityId: string;
  spkiSha256?: string | null | undefined;
  imo?: string | null | undefined;
  mmsi?: string | null | undefined;
}

/** Refuses a maritime identifier that a current certificate of another entity carries (ERR_IDENTIFIER_IN_USE). */
export function assertIdentifiersFree(store: CaStore, binding: Binding, now: number): void {
  for (const field of ['imo', 'mmsi'] as const) {
    const value = binding[field];
    if (!value) continue;
    const other = store
      .listCurrentByIdentifier(field, value, now)
      .find((c) => c.entityId !== binding.entityId);
    if (other)
      throw new HelmlinkError(
        'ERR_IDENTIFIER_IN_USE',
        `the ${field.toUpperCase()} ${value} is certified for ${other.entityId}`,
        { details: { field, holder: other.entityId, serial: other.serial } },
      );
  }
}

/**
 * Refuses a key revoked for keyCompromise (ERR_KEY_COMPROMISED) or certified for another entity (ERR_KEY_IN_USE),
 * and maritime identifiers of another entity (ERR_IDENTIFIER_IN_USE).
 */
export function assertIssuable(store: CaStore, binding: Binding, now: number): void {
  if (binding.spkiSha256) {
    const uses = store.listBySpki(binding.spkiSha256);
    const compromised = uses.find((c) => c.reason === REVOCATION_REASONS.keyCompromise);
    if (compromised)
      throw new HelmlinkError(
        'ERR_KEY_COMPROMISED',
        `this key was revoked for keyCompromise (certificate ${compromised.serial})`,
        { details: { serial: compromised.serial } },
      );
    const other = uses.find((c) => c.entityId !== binding.entityId);
    if (other)
      throw new HelmlinkError('ERR_KEY_IN_USE', `this key is certified for ${other.entityId}`, {
        details: { holder: other.entityId, serial: other.serial },
      });
  }
  assertIdentifiersFree(store, binding, now);
}
