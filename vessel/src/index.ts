/**
 * @helmlink/vessel: the headless vessel listener. Programmatic API:
 * `startVessel(config, { simulate, redisUrl, logger })` → handle with `close()`, `state`, `status()`, `events`.
 */
export * from './config';
export * from './identity';
export * from './trust';
export * from './state';
export * from './handoff';
export * from './simulate';
export * from './listener';
