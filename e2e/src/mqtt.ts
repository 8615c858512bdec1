/** MQTT helpers for scenarios: connect with an identity, find out whether the broker admits it. */
import mqtt, { type MqttClient } from 'mqtt';

export interface MqttIdentity {
  /** Unencrypted PKCS#8 PEM. */
  keyPem: string;
  /** Leaf first, PEM. */
  chainPem: string;
  /** Trust anchor for the broker certificate, PEM. */
  rootPem: string;
}

/** Connects (no automatic reconnect) and resolves with the client, or rejects with the broker's or TLS's refusal. */
export function connectMqtt(
  url: string,
  id: MqttIdentity,
  clientId: string,
  protocolVersion: 4 | 5 = 4,
): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId,
    key: id.keyPem,
    cert: id.chainPem,
    ca: id.rootPem,
    protocolVersion,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    clean: true,
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
    client.once('close', () => {
      if (!client.connected) {
        client.end(true);
        reject(new Error('connection closed before CONNACK'));
      }
    });
  });
}

/** True when the broker admits the identity (connects), false when it refuses it. */
export async function brokerAdmits(
  url: string,
  id: MqttIdentity,
  clientId: string,
  protocolVersion: 4 | 5 = 4,
): Promise<boolean> {
  try {
    const c = await connectMqtt(url, id, clientId, protocolVersion);
    await c.endAsync();
    return true;
  } catch {
    return false;
  }
}
