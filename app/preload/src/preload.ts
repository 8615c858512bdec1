/**
 * The sandboxed preload: glue only. Exposes one frozen object, `window.helmlink`, grouped by feature, built from the
 * contract's API tables. Each method invokes exactly its own channel; there is no generic send/invoke, and the
 * renderer never sees `ipcRenderer` or an event object. This is the only file that touches `ipcRenderer`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_EVENTS, API_METHODS, ipcChannel, ipcEventChannel } from './api-map';
import type { HelmlinkApi } from './contract/api';

type Group = Record<string, unknown>;
const api: Record<string, Group> = {};
const group = (name: string): Group => (api[name] ??= {});

for (const [feature, method, channel] of API_METHODS) {
  const name = ipcChannel(channel);
  // The request object is passed through as data; the main side validates it with the channel's schema.
  group(feature)[method] = (request?: unknown) => ipcRenderer.invoke(name, request ?? {});
}

for (const [feature, method, event] of API_EVENTS) {
  const name = ipcEventChannel(event);
  group(feature)[method] = (listener: (payload: unknown) => void) => {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(name, wrapped);
    return () => {
      ipcRenderer.removeListener(name, wrapped);
    };
  };
}

contextBridge.exposeInMainWorld('helmlink', Object.freeze(api) as unknown as HelmlinkApi);
