/**
 * The command specification, version 1, as zod schemas. A command is the `cmd` claim of a
 * `helmlink-cmd+jwt` token. Version 1 knows one command:
 *
 *   { "v": 1, "type": "streams.set", "on": ["239.192.0.1:60001", ...], "off": ["239.192.0.5:60005", ...] }
 *
 * `on` and `off` together must list every stream of the vessel's catalog exactly once ("specify all ports"):
 * a command states the whole desired state, so applying it twice or out of order can never leave a stream in a
 * state the pilot did not see.
 */
import { z } from 'zod';
import { MAX_CATALOG_STREAMS } from '../catalog/types';

/** The command specification version this code speaks. */
export const COMMAND_VERSION = 1;

/** Command types of version 1. */
export const COMMAND_TYPES = ['streams.set'] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

// Addresses are checked one by one afterwards so that a bad address gets its own code.
const addressList = z.array(z.string().max(32)).max(MAX_CATALOG_STREAMS * 2);

/** `streams.set`: the complete partition of the catalog into streams switched on and off. */
export const streamsSetCommandSchema = z
  .object({
    v: z.literal(COMMAND_VERSION),
    type: z.literal('streams.set'),
    on: addressList,
    off: addressList,
  })
  .strict();

export type StreamsSetCommand = z.infer<typeof streamsSetCommandSchema>;

/** Any command of version 1. */
export type Command = StreamsSetCommand;

/** Schema per command type. */
export const COMMAND_SCHEMAS: Record<CommandType, z.ZodType<Command>> = {
  'streams.set': streamsSetCommandSchema,
};
