/**
 * The sandboxed preload: glue only. Exposes one frozen object, `window.helmlink`, grouped by feature, built from the
 * contract's API tables. Each method invokes exactly its own channel; there is no generic send/invoke, and the
 * renderer never sees `ipcRenderer` or an event object. This is the only file that touches `ipcRenderer`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildApi, ipcChannel, ipcEventChannel } from './api-map';

const api = buildApi({
  invoke: (channel, request) => ipcRenderer.invoke(ipcChannel(channel), request),
  subscribe(event, listener) {
    const name = ipcEventChannel(event);
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(name, wrapped);
    return () => {
      ipcRenderer.removeListener(name, wrapped);
    };
  },
});

contextBridge.exposeInMainWorld('helmlink', api);
