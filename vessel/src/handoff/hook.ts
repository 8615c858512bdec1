/**
 * The ship-systems hook: an executable run for each verified command with the proposed new state as JSON on stdin.
 * Exit 0 accepts the state; anything else (non-zero exit, signal, timeout, not runnable) refuses it, and the vessel
 * acks `rejected` with ERR_HOOK_REJECTED and keeps its state.
 */
import { spawn } from 'node:child_process';
import { HelmlinkError } from '@helmlink/protocol';

export interface HookConfig {
  command: string;
  args: string[];
  timeoutMs: number;
}

/** What the hook receives on stdin. */
export interface HookInput {
  vesselId: string;
  /** The command's jti and signer. */
  jti: string;
  signer: string;
  /** The proposed new state (addresses in catalog order) and the ids of the streams switched on. */
  on: string[];
  off: string[];
  onStreamIds: string[];
  /** The state before the command. */
  previous: { on: string[]; off: string[] };
  seq: number;
}

const MAX_OUTPUT = 4096;

/**
 * Runs the hook. Resolves when it exits 0.
 * @throws HelmlinkError ERR_HOOK_REJECTED with the exit code or signal and the first bytes of stderr.
 */
export function runHook(hook: HookConfig, input: HookInput): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let stderr = '';
    const done = (err?: HelmlinkError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const child = spawn(hook.command, hook.args, { stdio: ['pipe', 'ignore', 'pipe'], shell: false });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(
        new HelmlinkError('ERR_HOOK_REJECTED', `hook timed out after ${hook.timeoutMs} ms`, {
          details: { timeout: true },
        }),
      );
    }, hook.timeoutMs);
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += d.toString('utf8');
    });
    child.on('error', (err) =>
      done(new HelmlinkError('ERR_HOOK_REJECTED', `hook cannot run: ${err.message}`, { cause: err })),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return done();
      const why = signal ? `killed by ${signal}` : `exited with ${code}`;
      const text = stderr.trim().slice(0, 200);
      done(
        new HelmlinkError('ERR_HOOK_REJECTED', `hook ${why}${text ? `: ${text}` : ''}`, {
          details: { exitCode: code, signal },
        }),
      );
    });
    // A hook that does not read stdin must not crash us with EPIPE.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(`${JSON.stringify(input)}\n`);
  });
}
