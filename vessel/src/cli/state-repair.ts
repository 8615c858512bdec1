/** `helmlink vessel state-repair --config FILE`: the documented way out of ERR_STATE_JOURNAL_DAMAGED. */
import { existsSync, readFileSync } from 'node:fs';
import { HelmlinkError } from '@helmlink/protocol';
import { defineCommand, required, EXIT_OK } from '@helmlink/protocol/node';
import { identityPaths } from '../identity/files';
import { StateStore } from '../state';
import { loadConfigForCli } from './config';

/** The pid `runtime.json` names when that process is alive (a listener still running), else undefined. */
function runningListener(runtimePath: string): number | undefined {
  try {
    const pid = (JSON.parse(readFileSync(runtimePath, 'utf8')) as { pid?: unknown }).pid;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export const vesselStateRepairCommand = defineCommand({
  name: 'vessel state-repair',
  summary: 'Rebuild a state file whose journal is damaged (ERR_STATE_JOURNAL_DAMAGED), keeping a copy',
  usage: `
Usage: helmlink vessel state-repair --config FILE [--json]

  --config FILE   vessel config (JSON; the state file is DATA_DIR/state.jsonl)
  --json          print the result as JSON

The listener refuses to start when a line inside its state journal is damaged (ERR_STATE_JOURNAL_DAMAGED): skipping
it would restart the vessel at an older state and apply old commands again. With the listener stopped, this command
copies the file to state.jsonl.damaged-TIME, keeps the snapshot and every intact journal record, drops the damaged
lines and raises the state sequence number by their count (so it stays above every state already published). It
runs only once every command the lost lines can hold has expired: the file's last write + 5 minutes + twice the
clock tolerance; before that it names the time to retry. Check the streams afterwards: a dropped line may have held
the latest change.

Exit codes: 0 repaired or nothing to repair, 1 refused (too early, listener running, snapshot damaged),
2 usage or invalid config.
`,
  options: { config: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const config = await loadConfigForCli(required(values.config, '--config'));
    const paths = identityPaths(config.dataDir);
    const pid = runningListener(paths.runtime);
    if (pid !== undefined)
      throw new HelmlinkError(
        'ERR_STATE_STORE',
        `the vessel listener is running (pid ${pid}, ${paths.runtime}): stop it before repairing its state file`,
      );
    if (!existsSync(paths.state))
      throw new HelmlinkError('ERR_STATE_STORE', `there is no state file ${paths.state}`);
    const r = StateStore.repair(paths.state, config.catalog, {
      toleranceSeconds: config.clockToleranceSeconds,
    });
    const out = { path: paths.state, ...r };
    if (values.json) io.stdout.write(`${JSON.stringify(out)}\n`);
    else if (!r.repaired) io.stdout.write(`${paths.state}: no damaged line, nothing to repair\n`);
    else
      io.stdout.write(
        [
          `${paths.state} repaired: ${r.dropped.length} damaged line(s) dropped (copy kept as ${r.backup})`,
          ...r.dropped.map((d) => `  line ${d.line}: ${d.reason}`),
          `the vessel continues from state sequence ${r.seq}; check its streams once it runs`,
          '',
        ].join('\n'),
      );
    return EXIT_OK;
  },
});
