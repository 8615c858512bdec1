/**
 * The ship-systems hook: an executable run for each verified command with the proposed new state as JSON on stdin.
 * Exit 0 accepts the state; anything else (non-zero exit, signal, timeout, not runnable) refuses it, and the vessel
 * acks `rejected` with ERR_HOOK_REJECTED and keeps its state. The hook's words travel with the refusal: the first
 * line it wrote on stderr (or, without one, on stdout), made plain and cut to 200 characters (sanitizeReasonText),
 * becomes the signed ack's `reason_text`, so the pilot reads why the ship said no.
 */
import { spawn } from 'node:child_process';
import { HelmlinkError, isHelmlinkError, sanitizeReasonText } from '@helmlink/protocol';

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

/** How much of each output stream is kept, characters. */
const MAX_OUTPUT = 4096;

/** The hook's own words for a refusal: the first line with words on stderr, else on stdout, made plain. */
export function hookReasonText(stderr: string, stdout: string): string | undefined {
  return sanitizeReasonText(stderr) ?? sanitizeReasonText(stdout);
}

/** The reason text a refusal from {@link runHook} carries, if the hook wrote one. */
export function reasonTextOf(err: unknown): string | undefined {
  const text = isHelmlinkError(err, 'ERR_HOOK_REJECTED') ? err.details?.reasonText : undefined;
  return typeof text === 'string' ? text : undefined;
}

/**
 * Runs the hook. Resolves when it exits 0.
 * @throws HelmlinkError ERR_HOOK_REJECTED with the exit code or signal and the first bytes of stderr; its
 * `details.reasonText` is the hook's words ({@link hookReasonText}) when it wrote any.
 */
export function runHook(hook: HookConfig, input: HookInput): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let stderr = '';
    let stdout = '';
    const words = (): { reasonText?: string } => {
      const reasonText = hookReasonText(stderr, stdout);
      return reasonText === undefined ? {} : { reasonText };
    };
    const done = (err?: HelmlinkError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const child = spawn(hook.command, hook.args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(
        new HelmlinkError('ERR_HOOK_REJECTED', `hook timed out after ${hook.timeoutMs} ms`, {
          details: { timeout: true, ...words() },
        }),
      );
    }, hook.timeoutMs);
    child.stderr!.setEncoding('utf8');
    child.stdout!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += d;
    });
    child.stdout!.on('data', (d: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += d;
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
          details: { exitCode: code, signal, ...words() },
        }),
      );
    });
    // A hook that does not read stdin must not crash us with EPIPE.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(`${JSON.stringify(input)}\n`);
  });
}
