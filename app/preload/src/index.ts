/** The console's typed IPC contract (runtime-neutral). The preload glue itself lives in preload.ts. */
export * from './contract/index';
export * from './api-map';
