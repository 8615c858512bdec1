/**
 * `@helmlink/protocol/testkit`: Node-only helpers the tests and benchmarks of every package share (never imported
 * by product code). `link/`: a link emulator with per-direction delay, bandwidth, blackholes and resets; `until`:
 * waiting for a condition.
 */
export * from './link';
export * from './wait';
