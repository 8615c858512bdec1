/** End-to-end scenarios as functions (Playwright over the console's web bridge; MQTT round trips). */
export * from './browser';
export * from './mqtt';
export * from './wait';
export * from './scenarios/console';
export * from './scenarios/round-trip';
export * from './scenarios/console-screens';
export * from './fixture';
