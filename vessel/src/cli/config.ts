/** Config loading for the CLIs: an unreadable or invalid config file is a usage error (exit 2). */
import { UsageError } from '@helmlink/protocol/node';
import { isHelmlinkError } from '@helmlink/protocol';
import { loadVesselConfig, type VesselConfig } from '../config';

/** Loads the config; ERR_CONFIG_INVALID becomes a UsageError carrying the field-level message. */
export async function loadConfigForCli(path: string): Promise<VesselConfig> {
  try {
    return await loadVesselConfig(path);
  } catch (err) {
    if (isHelmlinkError(err, 'ERR_CONFIG_INVALID'))
      throw new UsageError(`ERR_CONFIG_INVALID: ${err.message}`);
    throw err;
  }
}
