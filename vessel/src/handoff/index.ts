export * from './hook';
export * from './redis';
