// ESLint flat config. The `no-restricted-imports` blocks encode every layer rule of DEVELOPERS.md (dependencies point
// inward: renderer → preload API → main → services → protocol; vessel and app → ca-client → protocol; ca-server →
// protocol and the wire contract `@helmlink/ca-client/wire`). Each file gets exactly one of the layer blocks below
// (a later block would replace, not extend, an earlier block's options); test/eslint-layers.test.ts proves each bites.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

/** The workspaces: package name (after `@helmlink/`) → folder. */
const WORKSPACES = {
  protocol: 'protocol',
  'ca-client': 'ca-client',
  'ca-server': 'ca-server',
  vessel: 'vessel',
  'app-main': 'app/main',
  'app-preload': 'app/preload',
  'app-renderer': 'app/renderer',
  cli: 'cli',
  e2e: 'e2e',
};

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const electron = {
  name: 'electron',
  message: 'Only app/main/src/electron/** and the preload glue may import electron.',
};
const noNode = nodeBuiltins.map((name) => ({
  name,
  message: 'This layer must stay runtime-neutral (no Node built-ins).',
}));

/** A pattern that bans a workspace by package name (any subpath) and by relative path into its folder. */
const workspaceBan = (names, message) => ({
  group: names.flatMap((n) => [
    `@helmlink/${n}`,
    `@helmlink/${n}/*`,
    n === 'e2e' ? '**/e2e/**' : `**/${WORKSPACES[n]}/src/**`,
  ]),
  message,
});
/** Bans every workspace except `allowed`. */
const onlyWorkspaces = (allowed, message) =>
  workspaceBan(
    Object.keys(WORKSPACES).filter((n) => !allowed.includes(n)),
    message,
  );

const CONSOLE = ['app-main', 'app-preload', 'app-renderer'];
const consoleBan = workspaceBan(CONSOLE, 'Servers must not depend on the console.');
const serverBan = workspaceBan(['ca-server'], 'The CA server is not a dependency: use @helmlink/ca-client.');
const upwardBan = (...names) => workspaceBan(names, 'Dependencies point inward (DEVELOPERS.md, Layout).');
// The server shares the wire contract with the client, never the client itself.
const clientRootBan = {
  name: '@helmlink/ca-client',
  message: 'The server imports only @helmlink/ca-client/wire.',
};
const clientInternalsBan = {
  group: ['@helmlink/ca-client/*', '!@helmlink/ca-client/wire', '**/ca-client/src/**'],
  message: 'The server imports only @helmlink/ca-client/wire.',
};
const httpBan = [electron, 'fastify', 'node:http', 'node:https', 'http', 'https'].map((p) =>
  typeof p === 'string' ? { name: p, message: 'authority/ has no HTTP imports.' } : p,
);

/** One `no-restricted-imports` setting. */
const restrict = (paths, patterns) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

// ca-client imports @helmlink/protocol, Node built-ins (`node:` prefix) and its own files; nothing else.
const caClientOnly = {
  regex: '^(?!node:|\\./|\\.\\./(?!\\.\\./)|@helmlink/protocol(?:/|$))',
  message: 'ca-client imports only @helmlink/protocol and node: built-ins.',
};

// The renderer and the preload load only the pure vocabulary of the protocol: the barrel pulls in reflect-metadata
// and @peculiar/x509 (932 KB renderer bundle before), its other subpaths need Node.
const vocabularyOnly = {
  regex:
    '^(@helmlink/protocol(?!/vocabulary$)(/.*)?|.*/protocol/src/(?!vocabulary/).*|reflect-metadata|@peculiar/.*)$',
  message:
    'The renderer and the preload import only @helmlink/protocol/vocabulary (pure: no reflect-metadata, no x509).',
};

const PURE_VOCABULARY =
  'The vocabulary imports nothing but its own files and protocol/src/errors.ts (it must stay pure).';

// The Node-only subpaths of protocol (@helmlink/protocol/node, @helmlink/protocol/mqtt): never in the runtime-neutral
// core, the preload contract or the renderer.
const nodeSubpathBan = (message) => ({
  group: ['@helmlink/protocol/node', '@helmlink/protocol/mqtt'],
  message,
});
const mqttOutsideSession = { name: 'mqtt', message: 'MQTT lives in protocol/src/mqtt (Node only).' };

// protocol/ is shared with the renderer: no DOM either (it runs in Node as well).
const domGlobals = [
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'location',
  'HTMLElement',
].map((name) => ({ name, message: 'protocol/ has no DOM: it runs in Node too.' }));

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/.scratch/**',
      '.stryker-tmp/**',
      '**/dist/**',
      '**/out/**',
      'e2e/artifacts/**',
      'bench/results.json',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    // Size limits (DEVELOPERS.md): a source file past 400 lines or a function past 120 asks to be split.
    files: ['**/src/**/*.{ts,tsx}', 'packaging/**/*.{ts,mjs}', 'scripts/**/*.mjs'],
    ignores: ['**/test/**'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true }],
    },
  },

  // --- protocol: the innermost layer ------------------------------------------------------------------------------
  {
    files: ['protocol/src/**/*.ts'],
    ignores: [
      'protocol/src/node/**',
      'protocol/src/cli/**',
      'protocol/src/mqtt/**',
      'protocol/src/testkit/**',
    ],
    rules: {
      ...restrict(
        [...noNode, electron, mqttOutsideSession],
        [
          onlyWorkspaces(['protocol'], 'protocol/ is the innermost layer.'),
          {
            group: ['**/mqtt/*', '**/node/*'],
            message: 'The runtime-neutral core never imports the Node-only subpaths.',
          },
        ],
      ),
      'no-restricted-globals': ['error', ...domGlobals],
    },
  },
  {
    // The vocabulary (and the error class it throws) is pure: it imports only itself, never a dependency. These files
    // get this block on top of the protocol block above (it replaces that block's import rule with a stricter one).
    files: ['protocol/src/vocabulary/**/*.ts'],
    rules: restrict(
      [...noNode, electron],
      [{ regex: '^(?!\\./|\\.\\./errors$).*', message: PURE_VOCABULARY }],
    ),
  },
  {
    files: ['protocol/src/errors.ts'],
    rules: restrict([...noNode, electron], [{ regex: '^(?!\\./vocabulary/).*', message: PURE_VOCABULARY }]),
  },
  {
    // Node-only: the CLI kit and files (src/node, src/cli) and the one MQTT session (src/mqtt).
    files: [
      'protocol/src/node/**/*.ts',
      'protocol/src/cli/**/*.ts',
      'protocol/src/mqtt/**/*.ts',
      'protocol/src/testkit/**/*.ts',
      'protocol/test/**/*.ts',
      'protocol/bench/**/*.ts',
    ],
    rules: restrict([electron], [onlyWorkspaces(['protocol'], 'protocol/ is the innermost layer.')]),
  },

  // --- ca-client: the pinned HTTPS client and the wire contract -----------------------------------------------------
  {
    files: ['ca-client/src/**/*.ts'],
    rules: restrict([electron], [caClientOnly]),
  },
  {
    // Its tests run the real CA server.
    files: ['ca-client/test/**/*.ts'],
    rules: restrict([electron], [consoleBan, upwardBan('vessel', 'cli', 'e2e')]),
  },

  // --- ca-server ----------------------------------------------------------------------------------------------------
  {
    files: ['ca-server/src/**/*.ts'],
    ignores: ['ca-server/src/authority/**'],
    rules: restrict(
      [electron, clientRootBan],
      [consoleBan, upwardBan('vessel', 'cli', 'e2e'), clientInternalsBan],
    ),
  },
  {
    // The CA authority core knows nothing about HTTP (the wire contract's types are plain data).
    files: ['ca-server/src/authority/**/*.ts'],
    rules: restrict(
      [...httpBan, clientRootBan],
      [
        consoleBan,
        upwardBan('vessel', 'cli', 'e2e'),
        clientInternalsBan,
        { group: ['@fastify/*', '**/http/**'], message: 'authority/ has no HTTP imports.' },
      ],
    ),
  },
  {
    // Tests and benches drive the server through the client, as users do.
    files: ['ca-server/test/**/*.ts', 'ca-server/bench/**/*.ts'],
    rules: restrict([electron], [consoleBan, upwardBan('vessel', 'cli', 'e2e')]),
  },

  // --- vessel -------------------------------------------------------------------------------------------------------
  {
    files: ['vessel/src/**/*.ts', 'vessel/bench/**/*.ts'],
    rules: restrict([electron], [consoleBan, serverBan, upwardBan('cli', 'e2e')]),
  },
  {
    // Its tests run the real CA server and broker.
    files: ['vessel/test/**/*.ts'],
    rules: restrict([electron], [consoleBan, upwardBan('cli', 'e2e')]),
  },

  // --- console: main, preload, renderer -----------------------------------------------------------------------------
  {
    // Services and everything in main outside the Electron adapter are plain Node.
    files: ['app/main/src/**/*.ts'],
    ignores: ['app/main/src/electron/**'],
    rules: restrict(
      [electron],
      [
        {
          group: ['**/app/renderer/**', '@helmlink/app-renderer', '@helmlink/app-renderer/*'],
          message: 'main never imports the renderer.',
        },
        serverBan,
        upwardBan('vessel', 'cli', 'e2e'),
      ],
    ),
  },
  {
    // The Electron adapter; raw ipcMain only in the IPC wrapper (electron/ipc-main.ts).
    files: ['app/main/src/electron/**/*.ts'],
    rules: restrict(
      [
        {
          name: 'electron',
          importNames: ['ipcMain', 'ipcRenderer'],
          message: 'Raw IPC only in electron/ipc-main.ts (and the preload glue).',
        },
      ],
      [
        {
          group: ['**/app/renderer/**', '@helmlink/app-renderer', '@helmlink/app-renderer/*'],
          message: 'main never imports the renderer.',
        },
        serverBan,
        upwardBan('vessel', 'cli', 'e2e'),
      ],
    ),
  },
  {
    files: ['app/main/src/electron/ipc-main.ts'],
    rules: restrict(
      [],
      [
        {
          group: ['**/app/renderer/**', '@helmlink/app-renderer', '@helmlink/app-renderer/*'],
          message: 'main never imports the renderer.',
        },
        serverBan,
        upwardBan('vessel', 'cli', 'e2e'),
      ],
    ),
  },
  {
    // The typed IPC contract: runtime-neutral, the protocol vocabulary only.
    files: ['app/preload/src/**/*.ts'],
    ignores: ['app/preload/src/preload.ts'],
    rules: restrict(
      [...noNode, electron],
      [
        onlyWorkspaces(['protocol'], 'The preload contract imports only protocol.'),
        nodeSubpathBan('Node-only protocol subpaths are not for the preload.'),
        vocabularyOnly,
      ],
    ),
  },
  {
    // The contextBridge glue: electron's contextBridge and ipcRenderer, the contract, protocol.
    files: ['app/preload/src/preload.ts'],
    rules: restrict(
      [],
      [
        onlyWorkspaces(['protocol', 'app-preload'], 'The preload glue imports only protocol.'),
        vocabularyOnly,
      ],
    ),
  },
  {
    // The CLI and the end-to-end scenarios use other workspaces through their package exports only.
    files: ['cli/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/app/*/src/**',
                '**/protocol/src/**',
                '**/ca-server/src/**',
                '**/vessel/src/**',
                '@helmlink/*/src/**',
              ],
              message: 'Import through the package exports (e.g. @helmlink/app-renderer/testids).',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer talks to main only through the preload API (window.helmlink) and its typed contract.
    files: ['app/renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(
      [...noNode, electron, { name: 'mqtt', message: 'The renderer never talks to the broker.' }],
      [
        {
          group: ['@helmlink/app-main', '@helmlink/app-main/*', '**/app/main/**'],
          message: 'Use the preload API.',
        },
        onlyWorkspaces(['protocol', 'app-preload', 'app-main'], 'Not a renderer dependency.'),
        vocabularyOnly,
        nodeSubpathBan('Node-only protocol subpaths are not for the renderer.'),
      ],
    ),
  },
);
