// ESLint flat config. The `no-restricted-imports` blocks encode the dependency direction from DEVELOPERS.md:
// renderer → preload API → main → services → protocol; ca-server and vessel → protocol.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noNode = { paths: nodeBuiltins.map((name) => ({ name, message: 'This layer must stay runtime-neutral (no Node built-ins).' })) };
const electronBan = { name: 'electron', message: 'Only app/main/src/electron/** may import electron.' };
const appBan = { group: ['@helmlink/app-*', '**/app/main/**', '**/app/renderer/**'], message: 'Servers must not depend on the console.' };

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/.scratch/**', '**/dist/**', '**/out/**', 'e2e/artifacts/**', 'bench/results.json', 'coverage/**'],
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
    // protocol/ is shared with the renderer: no Node built-ins, no Electron, no other workspace.
    files: ['protocol/src/**/*.ts'],
    ignores: ['protocol/src/node/**', 'protocol/src/cli/**', 'protocol/src/mqtt/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noNode,
          paths: [...noNode.paths, electronBan, { name: 'mqtt', message: 'MQTT lives in protocol/src/mqtt (Node only).' }],
          patterns: [
            { group: ['@helmlink/*'], message: 'protocol/ is the innermost layer.' },
            { group: ['**/mqtt/*', '**/node/*'], message: 'The runtime-neutral core never imports the Node-only subpaths.' },
          ],
        },
      ],
    },
  },
  {
    // Node-only subpaths: @helmlink/protocol/node (CLI kit, files) and @helmlink/protocol/mqtt (the MQTT session).
    files: ['protocol/src/node/**/*.ts', 'protocol/src/cli/**/*.ts', 'protocol/src/mqtt/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electronBan], patterns: [{ group: ['@helmlink/*'], message: 'protocol/ is the innermost layer.' }] }],
    },
  },
  {
    files: ['ca-server/**/*.ts', 'vessel/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronBan], patterns: [appBan] }] },
  },
  {
    // The CA authority core knows nothing about HTTP.
    files: ['ca-server/src/authority/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronBan, 'fastify', 'node:http', 'node:https', 'http', 'https'].map((p) =>
            typeof p === 'string' ? { name: p, message: 'authority/ has no HTTP imports.' } : p,
          ),
          patterns: [appBan, { group: ['@fastify/*', '**/http/**'], message: 'authority/ has no HTTP imports.' }],
        },
      ],
    },
  },
  {
    // Services and everything in main outside the Electron adapter are plain Node.
    files: ['app/main/src/**/*.ts'],
    ignores: ['app/main/src/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronBan], patterns: [{ group: ['**/app/renderer/**', '@helmlink/app-renderer'], message: 'main never imports the renderer.' }] },
      ],
    },
  },
  {
    files: ['app/preload/src/**/*.ts'],
    ignores: ['app/preload/src/preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noNode,
          paths: [...noNode.paths, electronBan],
          patterns: [{ group: ['@helmlink/protocol/node', '@helmlink/protocol/mqtt'], message: 'Node-only protocol subpaths are not for the preload.' }],
        },
      ],
    },
  },
  {
    // The renderer talks to main only through the preload API (window.helmlink) and its typed contract.
    files: ['app/renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noNode,
          paths: [...noNode.paths, electronBan, { name: 'mqtt', message: 'The renderer never talks to the broker.' }],
          patterns: [
            { group: ['@helmlink/app-main', '@helmlink/app-main/*', '**/app/main/**'], message: 'Use the preload API.' },
            { group: ['@helmlink/ca-server', '@helmlink/vessel', '@helmlink/cli'], message: 'Not a renderer dependency.' },
            { group: ['@helmlink/protocol/node', '@helmlink/protocol/mqtt'], message: 'Node-only protocol subpaths are not for the renderer.' },
          ],
        },
      ],
    },
  },
);
