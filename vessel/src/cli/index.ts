export * from './enroll';
export * from './run';
export * from './status';
export * from './state-repair';
