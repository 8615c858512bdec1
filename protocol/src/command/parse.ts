/** Parsing untrusted command objects (the `cmd` claim) into typed commands. */
import { HelmlinkError } from '../errors';
import { parseStreamAddress } from '../catalog/address';
import { COMMAND_SCHEMAS, COMMAND_TYPES, COMMAND_VERSION, type Command, type CommandType } from './schema';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a command against the specification.
 * @throws HelmlinkError ERR_CMD_INVALID (not an object, wrong shape), ERR_CMD_VERSION_UNSUPPORTED (v is not 1),
 *   ERR_CMD_TYPE_UNSUPPORTED (unknown type), ERR_STREAM_ADDRESS_INVALID (a list entry is not a multicast group:port).
 */
export function parseCommand(value: unknown): Command {
  if (!isRecord(value)) throw new HelmlinkError('ERR_CMD_INVALID', 'the command must be a JSON object');
  if (value.v !== COMMAND_VERSION) {
    throw new HelmlinkError(
      'ERR_CMD_VERSION_UNSUPPORTED',
      `command version ${JSON.stringify(value.v)?.slice(0, 16)} is not supported (expected ${COMMAND_VERSION})`,
    );
  }
  // includes() is false for anything but one of the type strings, so no typeof check is needed first.
  if (!(COMMAND_TYPES as readonly unknown[]).includes(value.type)) {
    throw new HelmlinkError(
      'ERR_CMD_TYPE_UNSUPPORTED',
      `command type ${JSON.stringify(value.type)?.slice(0, 40)} is not supported`,
    );
  }
  const result = COMMAND_SCHEMAS[value.type as CommandType].safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new HelmlinkError(
      'ERR_CMD_INVALID',
      `invalid ${value.type} command at ${issue.path.join('.') || 'command'}: ${issue.message}`,
    );
  }
  const cmd = result.data;
  for (const list of [cmd.on, cmd.off]) {
    for (const address of list) parseStreamAddress(address);
  }
  return cmd;
}
