// ESM resolve hook: resolving a banned module (or a subpath of it) fails loudly, naming it and the importer.
let banned = [];

export async function initialize(data) {
  banned = data?.banned ?? [];
}

/** The marker of a banned name in the guard's output: `electron` → ELECTRON, `@helmlink/ca-server` → HELMLINK_CA_SERVER. */
export const tagOf = (name) =>
  name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/gu, '_')
    .replace(/^_+/u, '');

export async function resolve(specifier, context, next) {
  const hit = banned.find((name) => specifier === name || specifier.startsWith(`${name}/`));
  if (hit) throw new Error(`${tagOf(hit)}_IMPORTED by ${context.parentURL}`);
  return next(specifier, context);
}
