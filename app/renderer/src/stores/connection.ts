import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { AppInfo, ConnectionStatus } from '@helmlink/app-preload';
import { api, call } from '../api/current';
import type { BridgeState } from '../api/bridge-client';
import { friendlyError, type FriendlyError } from '../logic/errors';

/** Transport (Electron IPC or web bridge) and broker connection. */
export interface ConnectionStoreState {
  transport: 'electron' | 'web';
  /** Web bridge socket state; always 'open' under Electron. */
  bridge: BridgeState;
  bridgeDetail: string | null;
  app: AppInfo | null;
  broker: ConnectionStatus | null;
  busy: boolean;
  error: FriendlyError | null;
}

const initial: ConnectionStoreState = {
  transport: 'electron',
  bridge: 'open',
  bridgeDetail: null,
  app: null,
  broker: null,
  busy: false,
  error: null,
};

export const connectionStore = createStore<ConnectionStoreState>(() => ({ ...initial }));

/** React hook over the connection store. */
export function useConnection<T>(selector: (s: ConnectionStoreState) => T): T {
  return useStore(connectionStore, selector);
}

/** Resets the store (tests, identity removal). */
export function resetConnection(): void {
  connectionStore.setState({ ...initial });
}

/** Records the web bridge transport state (called by the bridge client). */
export function setBridgeState(bridge: BridgeState, detail?: string): void {
  connectionStore.setState({ transport: 'web', bridge, bridgeDetail: detail ?? null });
}

/** Applies a pushed broker status. */
export function applyBrokerStatus(broker: ConnectionStatus): void {
  connectionStore.setState({ broker });
}

/** Loads app info and the broker status. */
export async function loadConnection(): Promise<void> {
  try {
    const [app, broker] = await Promise.all([call(api().app.info()), call(api().fleet.connection())]);
    connectionStore.setState({ app, broker, transport: app.transport, error: null });
  } catch (err) {
    connectionStore.setState({ error: friendlyError(err) });
  }
}

async function brokerAction(run: () => Promise<ConnectionStatus>): Promise<void> {
  connectionStore.setState({ busy: true, error: null });
  try {
    connectionStore.setState({ broker: await run() });
  } catch (err) {
    connectionStore.setState({ error: friendlyError(err) });
  } finally {
    connectionStore.setState({ busy: false });
  }
}

/** Ends the web bridge session: the bridge closes the socket and the page shows that the session ended. */
export async function logout(): Promise<void> {
  try {
    await call(api().app.logout());
  } catch (err) {
    connectionStore.setState({ error: friendlyError(err) });
  }
}

/** Connects to the broker (mutual TLS, in main). */
export function connectBroker(): Promise<void> {
  return brokerAction(() => call(api().fleet.connect()));
}

/** Disconnects from the broker. */
export function disconnectBroker(): Promise<void> {
  return brokerAction(() => call(api().fleet.disconnect()));
}
