import { describe, expect, it } from 'vitest';
import { runHook } from '../../src/handoff/hook';

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
});
