/**
 * The echo of `bench:vessel`'s floor, in its own process like the vessel: a bare MQTT client (mutual TLS, QoS 1,
 * TCP_NODELAY) that publishes every message of one topic back on another, no crypto, no disk. Reads its settings
 * (broker URL, TLS key, certificate and CA, topics) as one JSON line on stdin (the key never in argv), prints
 * `ready` once subscribed, and exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';

interface EchoSettings {
  url: string;
  clientId: string;
  key: string;
  cert: string;
  ca: string;
  from: string;
  to: string;
}

const lines = createInterface({ input: process.stdin });
const first = await new Promise<string>((resolve) => lines.once('line', resolve));
const o = JSON.parse(first) as EchoSettings;
const client = mqtt.connect(o.url, {
  clientId: o.clientId,
  key: o.key,
  cert: o.cert,
  ca: o.ca,
  protocolVersion: 5,
  clean: true,
  reconnectPeriod: 0,
});
const noDelay = () =>
  (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
noDelay();
client.on('connect', noDelay);
client.on('message', (_topic, payload) => client.publish(o.to, payload, { qos: 1 }));
await new Promise<void>((resolve, reject) => {
  client.once('connect', () => resolve());
  client.once('error', reject);
});
await client.subscribeAsync(o.from, { qos: 1 });
process.stdout.write('ready\n');
lines.on('close', () => {
  void client.endAsync().then(() => process.exit(0));
});
