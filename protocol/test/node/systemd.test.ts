/**
 * notifySystemd outside systemd and from a clone. Its real path (READY=1 reaching systemd, a Type=notify unit
 * becoming active with the status text) is proven by packaging/test/install.test.ts with the packaged addon.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { notifySystemd } from '../../src/node/systemd';

function capture() {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (d: Buffer) => (text += d.toString()));
  return { stderr, text: () => text };
}

describe('notifySystemd', () => {
  it('does nothing unless systemd set NOTIFY_SOCKET', async () => {
    const c = capture();
    expect(await notifySystemd('ready', 'listening', { env: {}, stderr: c.stderr })).toBe(false);
    expect(c.text()).toBe('');
  });

  it('says so on stderr when systemd waits for readiness but the sd-notify addon is not built (npm ci does not build it)', async () => {
    const c = capture();
    expect(
      await notifySystemd('ready', 'listening', {
        env: { NOTIFY_SOCKET: '/run/nonexistent/notify' },
        stderr: c.stderr,
      }),
    ).toBe(false);
    expect(c.text()).toMatch(
      /^sd_notify unavailable \(.+\): systemd is not told that the service is ready\n$/u,
    );
  });
});
