export * from './enroll';
export * from './run';
export * from './status';
