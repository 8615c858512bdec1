/** MQTT brokers of the demo topology: the embedded aedes broker and a managed Mosquitto process. */
export * from './authorizer';
export * from './embedded';
export * from './ports';
export * from './mosquitto';
