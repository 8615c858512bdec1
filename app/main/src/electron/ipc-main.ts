/**
 * The only file that touches `ipcMain`. Registers one `handle` per contract channel; each handler establishes the
 * sender context from the event (main frame of our window on our app origin) and hands the raw payload to the
 * router, which refuses untrusted senders and validates the payload before any service code runs.
 */
import { ipcMain } from 'electron';
import { CHANNEL_NAMES, ipcChannel } from '@helmlink/app-preload';
import { electronSenderContext, type ExpectedSender } from '../ipc/electron-sender';
import type { IpcRouter } from '../ipc/router';

/**
 * Removes IPC listeners that libraries register on their own. electron-store answers a synchronous
 * `electron-store-get-data` message (user-data path and app version) for renderer-side stores; the console has
 * none, so the only IPC surface left is the contract's channels.
 */
export function removeLibraryIpcListeners(): void {
  ipcMain.removeAllListeners('electron-store-get-data');
}

/** Registers every channel; returns the function that removes them again. */
export function registerIpcHandlers(router: IpcRouter, expected: ExpectedSender): () => void {
  for (const name of CHANNEL_NAMES) {
    ipcMain.handle(ipcChannel(name), (event, payload: unknown) =>
      router.invoke(name, payload, electronSenderContext(event, expected)),
    );
  }
  return () => {
    for (const name of CHANNEL_NAMES) ipcMain.removeHandler(ipcChannel(name));
  };
}
