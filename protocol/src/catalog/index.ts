export * from './address';
export * from './types';
export * from './default';
export * from './parse';
