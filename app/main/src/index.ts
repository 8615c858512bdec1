/** @helmlink/app-main: the console's plain-Node side (services, IPC router, web bridge) for tests and e2e. */
export { createConsoleServices, type ConsoleServices, type ConsoleServicesOptions } from './services';
export { createOsKeychain, type Keychain } from './services/vault/keychain';
export { IpcRouter, type SenderContext, type Handlers } from './ipc/router';
export { createHandlers } from './ipc/handlers';
export { electronSenderContext, type IpcEventLike, type ExpectedSender } from './ipc/electron-sender';
export {
  startConsoleServer,
  isLoopbackHost,
  type ConsoleServer,
  type ConsoleServerOptions,
} from './bridge/server';
