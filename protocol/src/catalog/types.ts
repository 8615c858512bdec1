/**
 * The stream catalog of a vessel: every multicast stream the vessel can forward, by id, name, kind,
 * `group:port` address and nominal bitrate. A `streams.set` command must partition exactly this set.
 */
import { z } from 'zod';
import { isStreamAddress } from './address';
import { isTopicId } from '../topics';

/** Stream kinds. `iec61162-450` are the standard's transmission groups; the others are examples of bulk media. */
export const STREAM_KINDS = ['iec61162-450', 'camera', 'radar-video', 'other'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

/** Largest catalog accepted; keeps commands and state tokens well under the token size limit. */
export const MAX_CATALOG_STREAMS = 64;

/** Schema of one catalog entry. */
export const streamDescriptorSchema = z
  .object({
    /** Stable id, used as the `data/{streamId}` topic level. */
    id: z.string().refine(isTopicId, 'stream id must be a valid topic id'),
    /** Human-readable name. */
    name: z.string().min(1).max(128),
    kind: z.enum(STREAM_KINDS),
    /** Canonical `group:port`. */
    address: z.string().refine(isStreamAddress, 'address must be an IPv4 multicast group:port'),
    /** Nominal bitrate in bits per second. */
    bitrateBps: z.number().int().nonnegative().max(100_000_000_000),
    /** Navigation-critical: consoles ask for confirmation before switching it off. */
    critical: z.boolean().optional(),
    description: z.string().max(512).optional(),
  })
  .strict();

/** Schema of a catalog (ids and addresses unique). */
export const streamCatalogSchema = z
  .object({ streams: z.array(streamDescriptorSchema).min(1).max(MAX_CATALOG_STREAMS) })
  .strict()
  .superRefine((catalog, ctx) => {
    const ids = new Set<string>();
    const addresses = new Set<string>();
    catalog.streams.forEach((s, i) => {
      if (ids.has(s.id))
        ctx.addIssue({ code: 'custom', message: `duplicate stream id ${s.id}`, path: ['streams', i, 'id'] });
      if (addresses.has(s.address))
        ctx.addIssue({
          code: 'custom',
          message: `duplicate stream address ${s.address}`,
          path: ['streams', i, 'address'],
        });
      ids.add(s.id);
      addresses.add(s.address);
    });
  });

export type StreamDescriptor = z.infer<typeof streamDescriptorSchema>;
export type StreamCatalog = z.infer<typeof streamCatalogSchema>;

/** The on/off state of every stream of a catalog, as lists of addresses (the shape of `streams.set`). */
export interface StreamState {
  on: string[];
  off: string[];
}
