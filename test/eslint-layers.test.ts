/**
 * The layer rules of eslint.config.js bite: ESLint's Node API lints small in-memory sources placed in each layer,
 * one forbidden import per rule (with the rule's message), and allowed imports as controls.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The layer-rule messages ESLint gives `code` as the file `filePath` (relative to the repository). */
async function layerMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: `${root}${filePath}` });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals')
    .map((m) => m.message);
}

/** [file, source with one forbidden import or global, part of the expected message] */
const FORBIDDEN: Array<[string, string, string]> = [
  // protocol: the innermost layer, runtime-neutral, no DOM
  ['protocol/src/x.ts', "import 'node:fs';", 'runtime-neutral (no Node built-ins)'],
  ['protocol/src/x.ts', "import 'electron';", 'may import electron'],
  ['protocol/src/x.ts', "import '@helmlink/ca-server';", 'protocol/ is the innermost layer'],
  ['protocol/src/pki/x.ts', "import '../../../vessel/src/index';", 'protocol/ is the innermost layer'],
  ['protocol/src/x.ts', 'export const w = window.name;', 'protocol/ has no DOM'],
  ['protocol/src/node/x.ts', "import '@helmlink/app-main';", 'protocol/ is the innermost layer'],
  ['protocol/src/cli/x.ts', "import 'electron';", 'may import electron'],
  ['protocol/test/x.test.ts', "import '@helmlink/vessel';", 'protocol/ is the innermost layer'],
  // protocol/src/vocabulary: pure, nothing but its own files and errors.ts
  [
    'protocol/src/vocabulary/x.ts',
    "import '../pki/profile';",
    'The vocabulary imports nothing but its own files',
  ],
  [
    'protocol/src/vocabulary/x.ts',
    "import 'reflect-metadata';",
    'The vocabulary imports nothing but its own files',
  ],
  [
    'protocol/src/vocabulary/errors/x.ts',
    "import 'jose';",
    'The vocabulary imports nothing but its own files',
  ],
  ['protocol/src/errors.ts', "import './pki/profile';", 'The vocabulary imports nothing but its own files'],
  // protocol: MQTT only in the Node-only session subpath, which the core never imports
  ['protocol/src/x.ts', "import 'mqtt';", 'MQTT lives in protocol/src/mqtt'],
  ['protocol/src/pki/x.ts', "import '../mqtt/session';", 'never imports the Node-only subpaths'],
  ['protocol/src/envelope/x.ts', "import '../node/keyfile';", 'never imports the Node-only subpaths'],
  ['protocol/src/mqtt/x.ts', "import '@helmlink/vessel';", 'protocol/ is the innermost layer'],
  // ca-client: protocol and node: built-ins only
  ['ca-client/src/x.ts', "import '@helmlink/ca-server';", 'ca-client imports only @helmlink/protocol'],
  ['ca-client/src/x.ts', "import 'fastify';", 'ca-client imports only @helmlink/protocol'],
  [
    'ca-client/src/x.ts',
    "import '../../ca-server/src/authority/authority';",
    'ca-client imports only @helmlink/protocol',
  ],
  ['ca-client/test/x.test.ts', "import '@helmlink/app-main';", 'Servers must not depend on the console'],
  // ca-server: the wire contract only, never the client; nothing of the console, vessel or CLI
  [
    'ca-server/src/http/x.ts',
    "import { CaClient } from '@helmlink/ca-client';",
    'only @helmlink/ca-client/wire',
  ],
  ['ca-server/src/http/x.ts', "import '../../../ca-client/src/ca-client';", 'only @helmlink/ca-client/wire'],
  ['ca-server/src/x.ts', "import '@helmlink/app-preload';", 'Servers must not depend on the console'],
  ['ca-server/src/broker/x.ts', "import '@helmlink/vessel';", 'Dependencies point inward'],
  ['ca-server/src/x.ts', "import 'electron';", 'may import electron'],
  // ca-server/src/authority: no HTTP
  ['ca-server/src/authority/x.ts', "import 'fastify';", 'authority/ has no HTTP imports'],
  ['ca-server/src/authority/x.ts', "import 'node:https';", 'authority/ has no HTTP imports'],
  ['ca-server/src/authority/x.ts', "import '../http/errors';", 'authority/ has no HTTP imports'],
  ['ca-server/src/authority/x.ts', "import '@helmlink/ca-client';", 'only @helmlink/ca-client/wire'],
  ['ca-server/src/authority/x.ts', "import '@helmlink/app-main';", 'Servers must not depend on the console'],
  // vessel: the CA through ca-client, never the server
  ['vessel/src/identity/x.ts', "import '@helmlink/ca-server';", 'use @helmlink/ca-client'],
  [
    'vessel/src/x.ts',
    "import { ManagedMosquitto } from '@helmlink/ca-server/broker';",
    'use @helmlink/ca-client',
  ],
  ['vessel/src/identity/x.ts', "import '../../../ca-server/src/http/app';", 'use @helmlink/ca-client'],
  ['vessel/src/x.ts', "import '@helmlink/app-main';", 'Servers must not depend on the console'],
  ['vessel/src/x.ts', "import 'electron';", 'may import electron'],
  ['vessel/test/x.test.ts', "import '@helmlink/cli';", 'Dependencies point inward'],
  // console main: electron only in the adapter, raw IPC only in its wrapper, no server or renderer
  ['app/main/src/services/x.ts', "import 'electron';", 'may import electron'],
  ['app/main/src/services/ca/x.ts', "import '@helmlink/ca-server';", 'use @helmlink/ca-client'],
  ['app/main/src/x.ts', "import '@helmlink/app-renderer';", 'main never imports the renderer'],
  ['app/main/src/x.ts', "import '@helmlink/vessel';", 'Dependencies point inward'],
  [
    'app/main/src/electron/x.ts',
    "import { ipcMain } from 'electron';",
    'Raw IPC only in electron/ipc-main.ts',
  ],
  ['app/main/src/electron/x.ts', "import '@helmlink/ca-server/broker';", 'use @helmlink/ca-client'],
  // preload: the contract is runtime-neutral and imports protocol only; the glue imports no other workspace
  ['app/preload/src/contract.ts', "import 'node:fs';", 'runtime-neutral (no Node built-ins)'],
  ['app/preload/src/contract.ts', "import 'electron';", 'may import electron'],
  [
    'app/preload/src/contract.ts',
    "import '@helmlink/app-main';",
    'The preload contract imports only protocol',
  ],
  ['app/preload/src/preload.ts', "import '@helmlink/app-main';", 'The preload glue imports only protocol'],
  ['app/preload/src/contract/x.ts', "import '@helmlink/protocol';", 'only @helmlink/protocol/vocabulary'],
  [
    'app/preload/src/contract/x.ts',
    "import '@helmlink/protocol/node';",
    'only @helmlink/protocol/vocabulary',
  ],
  ['app/preload/src/preload.ts', "import '@helmlink/protocol';", 'only @helmlink/protocol/vocabulary'],
  ['app/preload/src/contract.ts', "import '@helmlink/protocol/mqtt';", 'not for the preload'],
  // renderer: the preload API only
  ['app/renderer/src/x.tsx', "import '@helmlink/app-main';", 'Use the preload API'],
  ['app/renderer/src/x.tsx', "import '@helmlink/ca-client';", 'Not a renderer dependency'],
  ['app/renderer/src/x.tsx', "import '@helmlink/ca-server';", 'Not a renderer dependency'],
  ['app/renderer/src/x.tsx', "import 'mqtt';", 'never talks to the broker'],
  ['app/renderer/src/x.tsx', "import 'node:fs';", 'runtime-neutral (no Node built-ins)'],
  [
    'app/renderer/src/x.tsx',
    "import { describeError } from '@helmlink/protocol';",
    'only @helmlink/protocol/vocabulary',
  ],
  [
    'app/renderer/src/x.tsx',
    "import '../../../protocol/src/pki/profile';",
    'only @helmlink/protocol/vocabulary',
  ],
  ['app/renderer/src/x.tsx', "import 'reflect-metadata';", 'only @helmlink/protocol/vocabulary'],
  ['app/renderer/src/x.tsx', "import '@helmlink/protocol/mqtt';", 'not for the renderer'],
  ['app/renderer/src/x.tsx', "import '@helmlink/protocol/node';", 'not for the renderer'],
];

/** [file, source with imports its layer allows] */
const ALLOWED: Array<[string, string]> = [
  ['protocol/src/node/x.ts', "import 'node:fs';\nimport '@helmlink/protocol';"],
  ['protocol/src/vocabulary/x.ts', "import './roles';\nimport '../errors';"],
  ['protocol/src/mqtt/x.ts', "import mqtt from 'mqtt';\nimport 'node:tls';\nimport '../errors';"],
  ['vessel/src/listener/x.ts', "import { MqttSession } from '@helmlink/protocol/mqtt';"],
  ['app/main/src/services/broker/x.ts', "import { MqttSession } from '@helmlink/protocol/mqtt';"],
  ['ca-server/src/broker/x.ts', "import { MqttSession } from '@helmlink/protocol/mqtt';"],
  [
    'ca-client/src/x.ts',
    "import '@helmlink/protocol';\nimport 'node:https';\nimport './pin';\nimport '../src/wire';",
  ],
  ['ca-client/test/x.test.ts', "import '@helmlink/ca-server';"],
  [
    'ca-server/src/http/x.ts',
    "import type { IssuedWire } from '@helmlink/ca-client/wire';\nimport 'fastify';",
  ],
  [
    'ca-server/src/authority/x.ts',
    "import type { TokenRequest } from '@helmlink/ca-client/wire';\nimport './issue';",
  ],
  ['ca-server/test/x.test.ts', "import { CaClient } from '@helmlink/ca-client';"],
  ['vessel/src/identity/x.ts', "import { CaClient } from '@helmlink/ca-client';"],
  ['vessel/test/x.test.ts', "import { startCaServer } from '@helmlink/ca-server';"],
  [
    'app/main/src/services/ca/x.ts',
    "import { CaClient } from '@helmlink/ca-client';\nimport '@helmlink/app-preload';",
  ],
  ['app/main/src/electron/ipc-main.ts', "import { ipcMain } from 'electron';"],
  ['app/main/src/electron/x.ts', "import { app } from 'electron';"],
  [
    'app/preload/src/preload.ts',
    "import { contextBridge, ipcRenderer } from 'electron';\nimport '@helmlink/protocol/vocabulary';",
  ],
  [
    'app/preload/src/contract/x.ts',
    "import { z } from 'zod';\nimport { ROLES } from '@helmlink/protocol/vocabulary';",
  ],
  [
    'app/renderer/src/x.tsx',
    "import type { HelmlinkApi } from '@helmlink/app-preload';\nimport '@helmlink/protocol/vocabulary';",
  ],
];

describe('layer rules (eslint.config.js no-restricted-imports)', () => {
  it.each(FORBIDDEN)('%s: refuses %s', async (file, code, message) => {
    const messages = await layerMessages(file, code);
    expect(messages.length, `no layer rule fired for ${code} in ${file}`).toBeGreaterThan(0);
    expect(messages.join('\n')).toContain(message);
  });

  it.each(ALLOWED)('%s: allows %s', async (file, code) => {
    expect(await layerMessages(file, code)).toEqual([]);
  });
});
