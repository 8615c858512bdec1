/**
 * `@helmlink/protocol/vocabulary`: the words every part of Helmlink shares (algorithms, roles, revocation reasons,
 * the entity-id and maritime rules, the renewal rule, error codes and their descriptions).
 *
 * Pure on purpose: no `reflect-metadata`, no `@peculiar/x509`, no Node built-ins, no DOM. The console's renderer and
 * preload import only this subpath (never the protocol barrel), which ESLint enforces.
 */
export * from './algorithms';
export * from './roles';
export * from './revocation';
export * from './entity-id';
export * from './maritime';
export * from './ship-name';
export * from './renewal';
export * from './errors';
export * from './vessel-alerts';
