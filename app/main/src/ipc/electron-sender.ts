/**
 * The Electron sender check, kept free of Electron imports so it is tested with fake event objects: a request is
 * trusted only when it comes from the main frame (no parent) of our own window's webContents, currently showing
 * our app origin (`app://helmlink`). Subframes, other windows and any navigated-away page are refused.
 */
import type { SenderContext } from './router';

/** The parts of Electron's IpcMainInvokeEvent the check reads. */
export interface IpcEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface ExpectedSender {
  /** The webContents id of the console window (undefined while no window exists). */
  webContentsId: () => number | undefined;
  /** Scheme and host the app is served from, e.g. `app://helmlink`. */
  appOrigin: string;
}

/** `scheme://host` of a URL (URL.origin is "null" for custom schemes, so it is rebuilt here). */
export function schemeHost(url: string): string | null {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

/** Establishes the sender context of an Electron IPC event. */
export function electronSenderContext(event: IpcEventLike, expected: ExpectedSender): SenderContext {
  const deny = (description: string): SenderContext => ({
    transport: 'electron',
    trusted: false,
    description,
  });
  const frame = event.senderFrame;
  if (!frame) return deny('the sending frame is gone');
  if (frame.parent !== null && frame.parent !== undefined) return deny('a subframe sent the request');
  const id = expected.webContentsId();
  if (id === undefined || event.sender.id !== id)
    return deny(`webContents ${event.sender.id} is not the console window`);
  const origin = schemeHost(frame.url);
  if (origin !== expected.appOrigin)
    return deny(`frame origin ${origin ?? 'invalid'} is not ${expected.appOrigin}`);
  return { transport: 'electron', trusted: true, description: `main frame of webContents ${id}` };
}
