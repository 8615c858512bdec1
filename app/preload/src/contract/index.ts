/**
 * The one typed IPC contract between the console's renderer and its main side (GitHub Desktop `ipc-shared.ts`
 * style). Every request channel has a name, a zod schema for its payload and a response type; every push event
 * has a name and a payload type. Both transports speak exactly this contract:
 *
 * - Electron: `app/preload/src/preload.ts` exposes {@link HelmlinkApi} as `window.helmlink` through one
 *   `contextBridge` object; the main side (`app/main/src/ipc/`) checks the sender frame and validates the payload
 *   with {@link channels}[name].request before any service code runs.
 * - Web bridge (`helmlink console --web`): the renderer's WebSocket client implements the same
 *   {@link HelmlinkApi} over {@link WS_PATH} with the {@link WireClientMessage}/{@link WireServerMessage} frames;
 *   the server validates with the same schemas and dispatches to the same router.
 *
 * Rules the contract encodes:
 * - No generic send/invoke: the API is a fixed set of methods grouped by feature.
 * - Secrets only ever flow inward (a passphrase the user types, an identity file the user imports); private keys,
 *   data keys and passphrases are never returned. The one outward secret is a freshly created enrollment token,
 *   shown once to the administrator who asked for it.
 * - Results are values, never thrown across the bridge: every method resolves to an {@link ApiResult}
 *   (Electron's contextBridge drops custom error properties such as `code`). Use {@link unwrap} to get the value
 *   or an {@link ApiError} with the stable code.
 *
 * Layout: one file per feature (`app-info`, `identity`, `settings`, `fleet`, `commands`, `audit`, `pki`) holding its
 * views, request schemas and channels; `primitives`, `result` and `certificates` shared by them; `channels` (the
 * single channel map), `events`, `api` (`HelmlinkApi`) and `wire` (the web bridge frames). Imports point from the
 * map and the API to the features, never back.
 *
 * Runtime-neutral: zod, types and the pure protocol vocabulary only (no `node:*`, no electron, no DOM).
 * Stability: channels and fields are only ever added; optional request fields keep old callers valid.
 */
export * from './primitives';
export * from './result';
export * from './certificates';
export * from './identity';
export * from './settings';
export * from './fleet';
export * from './commands';
export * from './audit';
export * from './pki';
export * from './app-info';
export * from './channel';
export * from './channels';
export * from './events';
export * from './api';
export * from './wire';
