#!/usr/bin/env node
// The `helmlink` command. Sources are TypeScript run through tsx, so a plain `npm ci` is enough to use it.
// The repository's tsconfig is named explicitly: tsx would otherwise look for one in the working directory,
// and the ASN.1 schema classes need its decorator settings wherever the command is started from.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url)) });
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
