/** The demo topology: the whole chain on one machine (used by `helmlink demo`, `npm run demo` and e2e/). */
export * from './fleet';
export * from './topology';
