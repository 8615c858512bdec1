import '@mantine/core/styles.css';
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { HelmlinkApi } from '@helmlink/app-preload';
import { App } from './App';
import { startStores, reloadStores } from './stores';
import { setBridgeState } from './stores/connection';
import { bridgeUrlFor, createBridgeClient, takeHandoff } from './api/bridge-client';

/**
 * Picks the transport: Electron's preload exposes `window.helmlink`; otherwise the page was served by
 * `helmlink console --web` and talks to the same contract over the loopback WebSocket bridge.
 */
function resolveApi(): HelmlinkApi {
  const exposed = (window as unknown as { helmlink?: HelmlinkApi }).helmlink;
  if (exposed) return exposed;
  // The initial loads wait for the first open; after any drop, everything is reloaded on the next open.
  let needReload = false;
  const client = createBridgeClient({
    url: bridgeUrlFor(window.location),
    // The console link's one-time handoff (URL fragment, removed from the address bar here); the session secret
    // it buys is kept in this tab's sessionStorage, which no other origin (no other 127.0.0.1 port) can read.
    handoff: takeHandoff(window.location, window.history),
    storage: window.sessionStorage,
    onState: (state, detail) => {
      setBridgeState(state, detail);
      if (state === 'closed') needReload = true;
      if (state === 'open' && needReload) {
        needReload = false;
        void reloadStores();
      }
    },
  });
  return client.api;
}

const rootElement = document.getElementById('root');
if (!rootElement) throw new TypeError('missing #root');
createRoot(rootElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void startStores(resolveApi());
