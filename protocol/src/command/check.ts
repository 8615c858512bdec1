/** Checking a command against the vessel's stream catalog. */
import { HelmlinkError } from '../errors';
import type { StreamCatalog, StreamState } from '../catalog/types';
import type { StreamsSetCommand } from './schema';

/**
 * Checks that a `streams.set` command partitions the catalog exactly, and returns the resulting state
 * (addresses in catalog order). Checks run in this order, each with its own code:
 * ERR_STREAM_DUPLICATE (an address listed twice in one list), ERR_STREAM_CONFLICT (in both lists),
 * ERR_STREAM_UNKNOWN (not in the catalog), ERR_STREAM_MISSING (a catalog stream in neither list: specify all ports).
 * Addresses are assumed syntactically valid (see parseCommand).
 */
export function checkStreamsSet(
  cmd: { readonly on: readonly string[]; readonly off: readonly string[] },
  catalog: StreamCatalog,
): StreamState {
  for (const [name, list] of [
    ['on', cmd.on],
    ['off', cmd.off],
  ] as const) {
    const seen = new Set<string>();
    for (const address of list) {
      if (seen.has(address)) {
        throw new HelmlinkError('ERR_STREAM_DUPLICATE', `stream ${address} is listed twice in ${name}`, {
          details: { address },
        });
      }
      seen.add(address);
    }
  }
  const on = new Set(cmd.on);
  const off = new Set(cmd.off);
  for (const address of on) {
    if (off.has(address))
      throw new HelmlinkError('ERR_STREAM_CONFLICT', `stream ${address} is listed both on and off`, {
        details: { address },
      });
  }
  const known = new Set(catalog.streams.map((s) => s.address));
  for (const address of [...cmd.on, ...cmd.off]) {
    if (!known.has(address))
      throw new HelmlinkError('ERR_STREAM_UNKNOWN', `stream ${address} is not in the vessel catalog`, {
        details: { address },
      });
  }
  const missing = catalog.streams
    .filter((s) => !on.has(s.address) && !off.has(s.address))
    .map((s) => s.address);
  if (missing.length > 0) {
    throw new HelmlinkError('ERR_STREAM_MISSING', `specify all ports: ${missing.join(', ')} missing`, {
      details: { missing },
    });
  }
  return {
    on: catalog.streams.filter((s) => on.has(s.address)).map((s) => s.address),
    off: catalog.streams.filter((s) => off.has(s.address)).map((s) => s.address),
  };
}

/** Builds a complete `streams.set` command from the addresses to switch on: every other catalog stream is off. */
export function buildStreamsSet(catalog: StreamCatalog, onAddresses: Iterable<string>): StreamsSetCommand {
  const on = new Set(onAddresses);
  for (const address of on) {
    if (!catalog.streams.some((s) => s.address === address)) {
      throw new HelmlinkError('ERR_STREAM_UNKNOWN', `stream ${address} is not in the vessel catalog`, {
        details: { address },
      });
    }
  }
  return {
    v: 1,
    type: 'streams.set',
    on: catalog.streams.filter((s) => on.has(s.address)).map((s) => s.address),
    off: catalog.streams.filter((s) => !on.has(s.address)).map((s) => s.address),
  };
}
