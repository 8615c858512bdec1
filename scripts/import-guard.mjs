// Loads modules in a process where some packages must never load: `node --import tsx import-guard.mjs --ban a,b
// <file or package>...`. Resolving a banned package fails (ESM resolve hook, `<NAME>_IMPORTED by <importer>` on
// stderr); afterwards the CommonJS cache is checked too. Prints `NO_<NAME>` for each banned package when clean.
import { register, createRequire } from 'node:module';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tagOf } from './import-guard-hooks.mjs';

const args = process.argv.slice(2);
const banAt = args.indexOf('--ban');
if (banAt < 0 || !args[banAt + 1]) {
  console.error('usage: import-guard.mjs --ban name[,name...] <file or package>...');
  process.exit(2);
}
const banned = args[banAt + 1].split(',');
const targets = args.filter((_, i) => i !== banAt && i !== banAt + 1);

register('./import-guard-hooks.mjs', import.meta.url, { data: { banned } });
for (const target of targets) await import(isAbsolute(target) ? pathToFileURL(target).href : target);
const cached = Object.keys(createRequire(import.meta.url).cache);
let failed = false;
for (const name of banned) {
  const hits = cached.filter((k) => k.replaceAll('\\', '/').includes(`/node_modules/${name}/`));
  if (hits.length > 0) {
    console.error(`${tagOf(name)}_IMPORTED via require: ${hits.join(', ')}`);
    failed = true;
  }
}
if (failed) process.exit(3);
for (const name of banned) console.log(`NO_${tagOf(name)}`);
