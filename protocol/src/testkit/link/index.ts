/** The link emulator of the test kit (Node only): see emulator.ts. */
export * from './emulator';
export * from './pipe';
export * from './profiles';
