/** Entry of the one-file `helmlink-ca` executable (bundled by packaging/src/build/bundle.ts, CommonJS for Node's SEA). */
import 'reflect-metadata';
import { runTool } from '../tools/tool';
import { CA_TOOL } from '../tools/ca';

void runTool(CA_TOOL, process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
