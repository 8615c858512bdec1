/** Ending an mqtt.js client without losing what it still has in flight. */
import type { MqttClient } from 'mqtt';

/** Ends a client after its publishes in flight are acknowledged, or cuts it after `timeoutMs` (broker gone). */
export function endGracefully(client: MqttClient, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!client.connected) {
      client.end(true, {}, () => resolve());
      return;
    }
    const cut = setTimeout(() => {
      // end(true) after end(false) is a no-op in mqtt.js: cut the socket itself.
      client.stream?.destroy();
      resolve();
    }, timeoutMs);
    client.end(false, {}, () => {
      clearTimeout(cut);
      resolve();
    });
  });
}
