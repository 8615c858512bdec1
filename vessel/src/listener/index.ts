export * from './vessel';
export * from './types';
export * from './alerts';
export * from './process';
export * from './session';
