/**
 * Every Helmlink error code and its default English description, grouped by the package that owns it. Each package
 * owns a closed union of its codes (`ProtocolErrorCode`, `CaServerErrorCode`, …); {@link ErrorCode} is their union,
 * so a misspelt code does not compile. The tables live here, in the pure vocabulary, because the console's UI has
 * to describe codes of every package without importing them.
 */
import { CA_CLIENT_ERRORS, type CaClientErrorCode } from './ca-client';
import { CA_SERVER_ERRORS, type CaServerErrorCode } from './ca-server';
import { CLI_ERRORS, type CliErrorCode } from './cli';
import { CONSOLE_ERRORS, type ConsoleErrorCode } from './console';
import { PROTOCOL_ERRORS, type ProtocolErrorCode } from './protocol';
import { VESSEL_ERRORS, type VesselErrorCode } from './vessel';

export { CA_CLIENT_ERRORS, CA_SERVER_ERRORS, CLI_ERRORS, CONSOLE_ERRORS, PROTOCOL_ERRORS, VESSEL_ERRORS };
export type {
  CaClientErrorCode,
  CaServerErrorCode,
  CliErrorCode,
  ConsoleErrorCode,
  ProtocolErrorCode,
  VesselErrorCode,
};

/** A registered error code: the closed union of every package's codes. */
export type ErrorCode =
  | ProtocolErrorCode
  | CaServerErrorCode
  | CaClientErrorCode
  | VesselErrorCode
  | ConsoleErrorCode
  | CliErrorCode;

/** Every code with its default description. */
export const ERROR_CODES: Readonly<Record<ErrorCode, string>> = Object.freeze({
  ...PROTOCOL_ERRORS,
  ...CA_SERVER_ERRORS,
  ...CA_CLIENT_ERRORS,
  ...VESSEL_ERRORS,
  ...CONSOLE_ERRORS,
  ...CLI_ERRORS,
});

/** True when `value` is a registered error code (for codes read from the wire, a file or another process). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The default English text for a code, for UIs and CLIs; an unregistered code is returned as it is. */
export function describeError(code: string): string {
  return isErrorCode(code) ? ERROR_CODES[code] : code;
}
