export * from './vessel';
export * from './process';
export * from './session';
export * from './backoff';
