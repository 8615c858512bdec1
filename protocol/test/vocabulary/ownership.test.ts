/**
 * The ownership rule of error codes, checked over every package's source: a package names only its own codes, the
 * protocol's and those of the services it talks to; every quoted `ERR_` literal is a registered code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CA_CLIENT_ERRORS,
  CA_SERVER_ERRORS,
  CLI_ERRORS,
  CONSOLE_ERRORS,
  PROTOCOL_ERRORS,
  VESSEL_ERRORS,
  isErrorCode,
} from '../../src/vocabulary/errors';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const GROUPS = {
  protocol: PROTOCOL_ERRORS,
  'ca-server': CA_SERVER_ERRORS,
  'ca-client': CA_CLIENT_ERRORS,
  vessel: VESSEL_ERRORS,
  console: CONSOLE_ERRORS,
  cli: CLI_ERRORS,
};
type Group = keyof typeof GROUPS;
const ownerOf = new Map<string, Group>(
  (Object.entries(GROUPS) as [Group, object][]).flatMap(([g, codes]) =>
    Object.keys(codes).map((c) => [c, g] as const),
  ),
);

/** Source folder → the groups whose codes it may name. */
const ALLOWED: Record<string, readonly Group[]> = {
  'protocol/src': ['protocol'],
  'ca-server/src': ['protocol', 'ca-server', 'ca-client'],
  'ca-client/src': ['protocol', 'ca-client', 'ca-server'],
  'vessel/src': ['protocol', 'vessel', 'ca-client', 'ca-server'],
  'app/main/src': ['protocol', 'console', 'ca-client', 'ca-server'],
  'app/preload/src': ['protocol', 'console', 'ca-client', 'ca-server'],
  'app/renderer/src': ['protocol', 'console', 'ca-client', 'ca-server'],
  'cli/src': ['protocol', 'ca-server', 'ca-client', 'vessel', 'console', 'cli'],
  'packaging/src': ['protocol', 'ca-server', 'ca-client', 'vessel', 'console', 'cli'],
};
/** The registry itself and the console's exhaustive code-to-words table name every code. */
const EVERY_CODE = new Set(['protocol/src/vocabulary/errors', 'app/renderer/src/logic/errors.ts']);

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.tsx?$/u.test(entry.name)) yield path;
  }
}

describe('error code ownership', () => {
  it('every package names only the codes it may use, and only registered ones', () => {
    const problems: string[] = [];
    let seen = 0;
    for (const [dir, allowed] of Object.entries(ALLOWED)) {
      if (!existsSync(join(root, dir))) continue;
      for (const file of sources(join(root, dir))) {
        const rel = relative(root, file);
        const text = readFileSync(file, 'utf8');
        for (const [, code] of text.matchAll(/['"`](ERR_[A-Z0-9_]+)['"`]/gu)) {
          seen++;
          if (!isErrorCode(code)) problems.push(`${rel}: ${code} is not registered`);
          else if (![...EVERY_CODE].some((p) => rel.startsWith(p)) && !allowed.includes(ownerOf.get(code!)!))
            problems.push(`${rel}: ${code} belongs to ${ownerOf.get(code!)}`);
        }
      }
    }
    expect(seen).toBeGreaterThan(200);
    expect(problems).toEqual([]);
  });
});
