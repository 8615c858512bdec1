export * from './samples';
export * from './simulator';
