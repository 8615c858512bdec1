#!/usr/bin/env node
// The `helmlink` command. Sources are TypeScript run through tsx, so a plain `npm ci` is enough to use it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
