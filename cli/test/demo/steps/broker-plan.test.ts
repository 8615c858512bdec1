/** The broker plan: your own broker's URL and the names its certificate is issued for. */
import { describe, expect, it } from 'vitest';
import { planBroker } from '../../../src/demo/steps/broker-plan';

describe('broker plan', () => {
  it('uses your broker as given, adding its host name to the certificate names', async () => {
    const plan = await planBroker({
      dataDir: '/unused',
      broker: { url: 'mqtts://broker.example.org:18883' },
      ports: { ca: 0 },
    });
    expect(plan).toMatchObject({
      kind: 'external',
      mqttUrl: 'mqtts://broker.example.org:18883',
      mqttPort: 18883,
    });
    expect(plan.brokerHosts).toEqual(['localhost', '127.0.0.1', '::1', 'broker.example.org']);
    const local = await planBroker({ dataDir: '/unused', broker: { url: 'mqtts://[::1]:8883' } });
    expect(local.brokerHosts).toEqual(['localhost', '127.0.0.1', '::1']);
  });

  it('refuses a broker URL that is not mqtts://', async () => {
    await expect(planBroker({ dataDir: '/unused', broker: { url: 'mqtt://broker:1883' } })).rejects.toThrow(
      TypeError,
    );
  });
});
