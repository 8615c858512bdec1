/**
 * `@helmlink/protocol/mqtt`: the one MQTT session of Helmlink (Node only: mqtt.js, node:tls), used by the vessel,
 * the console's main process and the CA's CRL publisher. Never imported by the renderer or the preload.
 */
export * from './backoff';
export * from './fallback';
export * from './states';
export * from './tls-peer';
export * from './types';
export * from './session';
export * from './broker-revocation';
