/** Error codes owned by `@helmlink/cli` (demo topology, embedded broker). */
export const CLI_ERRORS = {
  ERR_TOOL_MISSING: 'A required program is not installed',
} as const;

/** A code the `helmlink` dispatcher's own commands throw. */
export type CliErrorCode = keyof typeof CLI_ERRORS;
