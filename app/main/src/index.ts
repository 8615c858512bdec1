/** @helmlink/app-main: the console's plain-Node side (services, IPC router, web bridge) for tests and e2e. */
export { createConsoleServices, type ConsoleServices, type ConsoleServicesOptions } from './services';
export { createOsKeychain, type Keychain } from './services/vault/keychain';
export { IpcRouter, type SenderContext, type Handlers } from './ipc/router';
export { createHandlers } from './ipc/handlers';
export { electronSenderContext, type IpcEventLike, type ExpectedSender } from './ipc/electron-sender';
export { startConsoleServer, type ConsoleServer, type ConsoleServerOptions } from './bridge/server';
export { isLoopbackHost } from './bridge/loopback';
export { assertRendererBuilt, DEFAULT_RENDERER_DIR, RENDERER_BUILD_COMMAND } from './static/renderer-dir';
