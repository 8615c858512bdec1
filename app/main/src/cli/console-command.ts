/** `helmlink console --web`: the operator console in a browser over the loopback web bridge. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { defineCommand, UsageError, EXIT_OK } from '@helmlink/protocol/node';
import { startConsoleServer } from '../bridge/server';
import { mintLinksOnEnter } from './links-on-enter';

export const consoleCommand = defineCommand({
  name: 'console',
  summary: 'Run the operator console in a browser over the loopback web bridge',
  usage: `
Usage: helmlink console --web [--port N] [--host 127.0.0.1|::1] [--data DIR]

Serves the console (app/renderer/dist, made by \`npm run build\`) on a loopback address and prints a console link
with a random one-time token (valid for an hour). Open it in a browser on this machine: it opens a session (12
hours; the page has a Log out button) held by that browser tab alone. No cookie is set (cookies reach every port of
127.0.0.1); the page authenticates its WebSocket with a secret only it holds. Requests without a session, from
another Host or (WebSocket) another Origin are refused. Press Enter for a new link (another tab or browser, or
after a logout). The desktop app is started with \`npm start\` instead.

Options:
  --web          serve the console over the loopback web bridge (required)
  --port N       port to listen on (default: a free port)
  --host ADDR    loopback address to bind: 127.0.0.1 (default) or ::1; anything else is refused
  --data DIR     console data directory (default: $HELMLINK_CONSOLE_DATA or ~/.helmlink/console)

Exit codes: 0 stopped cleanly, 1 refused (non-loopback address; ERR_RENDERER_NOT_BUILT: run \`npm run build\`),
2 usage.
`,
  options: {
    web: { type: 'boolean' },
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
  },
  async run({ values, io }) {
    if (!values.web)
      throw new UsageError(
        'only the web bridge is available from the CLI: pass --web (the desktop app starts with `npm start`)',
      );
    let port = 0;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`invalid --port ${values.port}`);
    }
    const dataDir = resolve(
      io.cwd,
      values.data ?? io.env.HELMLINK_CONSOLE_DATA ?? join(homedir(), '.helmlink', 'console'),
    );
    const server = await startConsoleServer({ dataDir, port, host: values.host ?? '127.0.0.1' });
    io.stdout.write(
      `Helmlink console: ${server.url}\n(one-time link; data in ${dataDir}; Enter for a new link; Ctrl+C to stop)\n`,
    );
    const stopLinks = mintLinksOnEnter(io.stdin, io.stdout, () => server.newTokenUrl());
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        stopLinks();
        void server.close().then(done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return EXIT_OK;
  },
});
