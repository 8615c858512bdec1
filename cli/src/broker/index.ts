/** MQTT brokers of the demo topology: the embedded aedes broker and a managed Mosquitto process. */
export * from './authorizer';
export * from './embedded';
export { freePort, assertPortFree, waitForPort } from '@helmlink/protocol/node';
export * from './mosquitto';
