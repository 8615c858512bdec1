/**
 * The one MQTT 5 → 3.1.1 fallback rule. A broker that does not speak MQTT 5 refuses the CONNECT with CONNACK reason
 * 132 (Unsupported Protocol Version, an MQTT 5 broker configured without 5), with the 3.1.1 return code 1
 * (Unacceptable protocol version, e.g. aedes), or only says so in words. Nothing in Helmlink depends on MQTT 5
 * (response topics are an extra), so the session retries with 3.1.1 at once and keeps it.
 */

/** True when `err` is a broker's refusal of the MQTT protocol version. */
export function isVersionRefusal(err: Error & { code?: unknown }): boolean {
  return (
    err.code === 132 ||
    err.code === 1 ||
    /unsupported protocol version|unacceptable protocol version/iu.test(err.message)
  );
}
