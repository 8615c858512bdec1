/**
 * Deferred PUBACKs for handed-over messages (`HandedOver`). mqtt.js 5 sends a QoS 1 message's PUBACK as soon as
 * `handleMessage` calls back, and reads the next packet only after that; a callback with an error sends no PUBACK
 * and goes on with the next packet. The session uses that to let the next message in while an earlier one is still
 * being made durable, and sends the PUBACK itself later, in arrival order, through the client's packet writer.
 */
import type { MqttClient } from 'mqtt';

/** Passed to mqtt.js's `handleMessage` callback: "no PUBACK now, go on" (never surfaced as an error). */
export const HANDED_OVER = new Error('handed over: PUBACK deferred until the message is settled');

interface PacketWriter {
  _writePacket(packet: { cmd: 'puback'; messageId: number; reasonCode?: number }, cb?: () => void): void;
}

/** The longest a deferred PUBACK waits for its write callback (a socket torn down mid-write may never call it). */
const WRITE_WAIT_MS = 1000;

/**
 * Writes the PUBACK of one QoS 1 message (success) on the client's current connection, never into mqtt.js's offline
 * queue (a PUBACK belongs to the connection its message came in on); resolves once it was written to the socket,
 * so a connection dropped right after does not discard it.
 */
export function sendPuback(client: MqttClient, messageId: number): Promise<void> {
  if (!client.connected) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, WRITE_WAIT_MS);
    timer.unref();
    (client as unknown as PacketWriter)._writePacket({ cmd: 'puback', messageId, reasonCode: 0 }, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
