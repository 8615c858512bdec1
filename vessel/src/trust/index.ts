export * from './crls';
