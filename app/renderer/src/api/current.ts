import { unwrap, type ApiResult, type HelmlinkApi } from '@helmlink/app-preload';

let current: HelmlinkApi | undefined;

/** Binds the API every store action uses (`window.helmlink`, the web bridge client, or a test double). */
export function bindApi(api: HelmlinkApi | undefined): void {
  current = api;
}

/** The bound API. Throws TypeError when none is bound (a wiring bug). */
export function api(): HelmlinkApi {
  if (!current) throw new TypeError('no Helmlink API bound: call bindApi() first');
  return current;
}

/** Awaits a contract call and returns its value, throwing an ApiError (with the stable code) on failure. */
export async function call<T>(pending: Promise<ApiResult<T>>): Promise<T> {
  return unwrap(await pending);
}
