import { describe, expect, it } from 'vitest';
import { hookReasonText, reasonTextOf, runHook } from '../../src/handoff/hook';

const input = {
  vesselId: 'MV',
  jti: 'j',
  signer: 'p',
  on: ['a'],
  off: [],
  onStreamIds: ['A'],
  previous: { on: [], off: ['a'] },
  seq: 1,
};

describe('ship systems hook', () => {
  it('passes the state as JSON on stdin and accepts exit 0', async () => {
    await expect(
      runHook(
        { command: '/bin/sh', args: ['-c', 'grep -q \'"onStreamIds":\\["A"\\]\''], timeoutMs: 5000 },
        input,
      ),
    ).resolves.toBeUndefined();
  });

  it('refuses a non-zero exit (with stderr), a timeout and a missing executable with ERR_HOOK_REJECTED', async () => {
    await expect(
      runHook({ command: '/bin/sh', args: ['-c', 'echo nope >&2; exit 2'], timeoutMs: 5000 }, input),
    ).rejects.toMatchObject({
      code: 'ERR_HOOK_REJECTED',
      message: expect.stringContaining('nope'),
    });
    await expect(runHook({ command: '/bin/sleep', args: ['5'], timeoutMs: 50 }, input)).rejects.toMatchObject(
      { code: 'ERR_HOOK_REJECTED', details: { timeout: true } },
    );
    await expect(
      runHook({ command: '/nonexistent/hook', args: [], timeoutMs: 1000 }, input),
    ).rejects.toMatchObject({ code: 'ERR_HOOK_REJECTED' });
  });

  it("keeps the hook's words for the ack: the first line of stderr, else of stdout, made plain", async () => {
    const refuse = (script: string) =>
      runHook({ command: '/bin/sh', args: ['-c', script], timeoutMs: 5000 }, input).then(
        () => undefined,
        (err: unknown) => err,
      );
    const err = await refuse(
      "printf 'checking eth1\\n' ; printf '\\n  the voyage data recorder feed (VDRD) must stay on\\nsee log\\n' >&2; exit 1",
    );
    expect(err).toMatchObject({
      code: 'ERR_HOOK_REJECTED',
      details: { exitCode: 1, reasonText: 'the voyage data recorder feed (VDRD) must stay on' },
    });
    expect(reasonTextOf(err)).toBe('the voyage data recorder feed (VDRD) must stay on');
    expect(reasonTextOf(await refuse("printf '<b>NAVD</b>\\033[31m needed\\n'; exit 3"))).toBe(
      'NAVD [31m needed',
    );
    expect(reasonTextOf(await refuse('exit 4'))).toBeUndefined();
    const slow = await runHook(
      { command: '/bin/sh', args: ['-c', 'echo still checking >&2; exec sleep 5'], timeoutMs: 300 },
      input,
    ).catch((e: unknown) => e);
    expect(slow).toMatchObject({ details: { timeout: true, reasonText: 'still checking' } });
  });

  it('reads the words from stderr first, then stdout, and bounds them to 200 characters', () => {
    expect(hookReasonText('from stderr\n', 'from stdout\n')).toBe('from stderr');
    expect(hookReasonText(' \n', 'from stdout\n')).toBe('from stdout');
    expect(hookReasonText('', '')).toBeUndefined();
    expect([...hookReasonText('x'.repeat(4096), '')!]).toHaveLength(200);
  });
});
