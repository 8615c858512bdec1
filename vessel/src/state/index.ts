export * from './types';
export * from './store';
export * from './journal';
