export * from './types';
export * from './snapshot';
