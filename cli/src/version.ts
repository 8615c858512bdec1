import { defineCommand } from '@helmlink/protocol/node';
import pkg from '../package.json' with { type: 'json' };

export const versionCommand = defineCommand({
  name: 'version',
  summary: 'Print the Helmlink version',
  usage: 'Usage: helmlink version',
  options: {},
  run: async ({ io }) => {
    io.stdout.write(`helmlink ${pkg.version} (node ${process.version})\n`);
    return 0;
  },
});
