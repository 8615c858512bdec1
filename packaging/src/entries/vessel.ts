/** Entry of the one-file `helmlink-vessel` executable (bundled by packaging/src/build/bundle.ts, CommonJS for Node's SEA). */
import 'reflect-metadata';
import { runTool } from '../tools/tool';
import { VESSEL_TOOL } from '../tools/vessel';

void runTool(VESSEL_TOOL, process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
