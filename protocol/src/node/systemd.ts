/**
 * systemd readiness for the long-running services (`vessel run`, `ca serve`) through sd-notify, the systemd
 * project's npm binding to sd_notify(3). A no-op unless systemd started the process with Type=notify (it then sets
 * NOTIFY_SOCKET). The addon is built by the Debian package build (packaging/), not by `npm ci`: from a clone it is
 * usually absent, which only matters under Type=notify and is then reported on stderr.
 */
import type * as SdNotifyModule from 'sd-notify';

/** The part of sd-notify used here. */
type SdNotify = Pick<typeof SdNotifyModule, 'ready' | 'stopping' | 'sendStatus'>;

let binding: Promise<SdNotify> | undefined;

/** Sends a service state to systemd; returns whether it was sent (false outside systemd's Type=notify). */
export async function notifySystemd(
  state: 'ready' | 'stopping',
  status: string,
  {
    env = process.env,
    stderr = process.stderr,
  }: { env?: NodeJS.ProcessEnv; stderr?: NodeJS.WritableStream } = {},
): Promise<boolean> {
  if (!env.NOTIFY_SOCKET) return false;
  try {
    binding ??= import('sd-notify').then((m) => (m as { default?: SdNotify }).default ?? m);
    const sd = await binding;
    sd.sendStatus(status);
    if (state === 'ready') sd.ready();
    else sd.stopping(process.pid);
    return true;
  } catch (err) {
    binding = undefined;
    stderr.write(
      `sd_notify unavailable (${(err as Error).message.split('\n')[0]}): systemd is not told that the service is ${state}\n`,
    );
    return false;
  }
}
