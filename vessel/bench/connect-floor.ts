/**
 * The floor of a connect storm on this machine: `n` bare MQTT clients (mutual TLS with the vessels' own keys and
 * certificates, clean sessions, no subscription, nothing published, no application work) connect to the broker all
 * at once from this process. Their time is what the TLS handshakes and CONNECTs alone cost, at both ends; the CPU
 * split says who limits it (this process's handshakes or Mosquitto's single thread).
 */
import { createSecureContext } from 'node:tls';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { TlsCredentials } from '@helmlink/protocol/mqtt';

export interface ConnectFloor {
  clients: number;
  seconds: number;
  handshakesPerSecond: number;
  /** CPU ms per connection in this process (client side) and in Mosquitto (server side). */
  clientCpuMsPerConnect: number;
  brokerCpuMsPerConnect: number;
}

/**
 * Connects `credentials.length` bare clients at once, waits for every CONNACK, then ends them. `reuseContext`: each
 * client's TLS context is made before the clock starts (as `MqttSession` keeps it across reconnects); otherwise
 * every handshake parses its PEM key and certificates again.
 */
export async function measureConnectFloor(
  url: string,
  credentials: readonly TlsCredentials[],
  brokerCpuSeconds: () => number,
  reuseContext: boolean,
): Promise<ConnectFloor> {
  const tls: IClientOptions[] = credentials.map((c) =>
    reuseContext
      ? { secureContext: createSecureContext({ key: c.key, cert: c.cert, ca: c.ca, minVersion: 'TLSv1.2' }) }
      : { key: c.key, cert: c.cert, ca: c.ca },
  );
  const cpu0 = process.cpuUsage();
  const broker0 = brokerCpuSeconds();
  const t0 = performance.now();
  const clients: MqttClient[] = [];
  await Promise.all(
    tls.map(
      (t, i) =>
        new Promise<void>((resolve, reject) => {
          const client = mqtt.connect(url, {
            clientId: `connect-floor-${i}`,
            clean: true,
            protocolVersion: 5,
            reconnectPeriod: 0,
            connectTimeout: 120_000,
            ...t,
            rejectUnauthorized: true,
          });
          clients.push(client);
          client.once('connect', () => resolve());
          client.once('error', reject);
        }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const brokerCpu = brokerCpuSeconds() - broker0;
  await Promise.all(clients.map((c) => c.endAsync()));
  const n = credentials.length;
  return {
    clients: n,
    seconds: Math.round(seconds * 1000) / 1000,
    handshakesPerSecond: Math.round(n / seconds),
    clientCpuMsPerConnect: Math.round(((cpu.user + cpu.system) / 1000 / n) * 100) / 100,
    brokerCpuMsPerConnect: Math.round(((brokerCpu * 1000) / n) * 100) / 100,
  };
}
