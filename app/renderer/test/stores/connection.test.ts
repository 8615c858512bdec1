import { beforeEach, describe, expect, it } from 'vitest';
import { bindApi } from '../../src/api/current';
import { connectBroker, connectionStore, loadConnection, setBridgeState } from '../../src/stores/connection';
import { createTestApi, type TestApi, connectionStatus } from '../support/test-api';

let t: TestApi;

beforeEach(() => {
  t = createTestApi();
  bindApi(t.api);
  connectionStore.setState(connectionStore.getInitialState(), true);
});

describe('connection store', () => {
  it('loads the app info and broker status and connects', async () => {
    t.ok('app.info', { version: '0.1.0', contractVersion: 1, transport: 'web', platform: 'linux' });
    t.ok(
      'fleet.connection',
      connectionStatus({ state: 'disconnected', tlsVersion: null, mqttVersion: null }),
    );
    await loadConnection();
    expect(connectionStore.getState().transport).toBe('web');
    t.ok('fleet.connect', connectionStatus());
    await connectBroker();
    expect(connectionStore.getState().broker?.tlsVersion).toBe('TLSv1.3');
    expect(connectionStore.getState().busy).toBe(false);
  });

  it('records the bridge transport state', () => {
    setBridgeState('closed', 'socket closed (1006)');
    expect(connectionStore.getState()).toMatchObject({
      transport: 'web',
      bridge: 'closed',
      bridgeDetail: 'socket closed (1006)',
    });
  });
});
