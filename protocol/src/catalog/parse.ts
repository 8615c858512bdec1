/** Loading and validating catalogs from untrusted JSON (configuration files, state tokens). */
import { HelmlinkError } from '../errors';
import { streamCatalogSchema, type StreamCatalog, type StreamDescriptor } from './types';

/**
 * Validates a catalog object: well-formed entries, canonical multicast addresses, unique ids and addresses.
 * @throws HelmlinkError ERR_CATALOG_INVALID naming the first problem.
 */
export function parseCatalog(value: unknown): StreamCatalog {
  const result = streamCatalogSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'catalog';
    throw new HelmlinkError('ERR_CATALOG_INVALID', `invalid stream catalog at ${where}: ${issue.message}`, {
      details: { path: issue.path.map(String) },
    });
  }
  return result.data;
}

/**
 * Parses catalog JSON text (e.g. a catalog file's content).
 * @throws HelmlinkError ERR_CATALOG_INVALID when the text is not JSON or not a valid catalog.
 */
export function parseCatalogJson(text: string): StreamCatalog {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HelmlinkError(
      'ERR_CATALOG_INVALID',
      `the stream catalog is not valid JSON: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return parseCatalog(value);
}

/** The catalog entry with this address, if any. */
export function findStream(catalog: StreamCatalog, address: string): StreamDescriptor | undefined {
  return catalog.streams.find((s) => s.address === address);
}

/** The addresses of the navigation-critical streams (consoles confirm before switching them off). */
export function criticalAddresses(catalog: StreamCatalog): string[] {
  return catalog.streams.filter((s) => s.critical === true).map((s) => s.address);
}

/** The total nominal bitrate of the given addresses (unknown addresses count 0). */
export function totalBitrate(catalog: StreamCatalog, addresses: readonly string[]): number {
  const wanted = new Set(addresses);
  return catalog.streams.reduce((sum, s) => (wanted.has(s.address) ? sum + s.bitrateBps : sum), 0);
}
