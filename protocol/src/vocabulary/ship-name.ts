/**
 * A ship's name as a vessel certificate may carry it (next to IMO number, MMSI and flag, see maritime.ts): the
 * name people call the vessel by, e.g. "MV Nordic Tern". Letters of any script, digits, single inner spaces and
 * `. - ' & ( ) /`; it starts with a letter or digit; at most {@link SHIP_NAME_MAX_LENGTH} characters. Nothing that
 * could be markup or a control character, so every screen and log can show it as it is.
 */

/** The longest ship name accepted, in characters. */
export const SHIP_NAME_MAX_LENGTH = 64;

const SHIP_NAME = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}.\-'&()/]| (?! )){0,63}$/u;

/** True when `name` follows the ship-name rule (no leading, trailing or double spaces). */
export function isValidShipName(name: string): boolean {
  return [...name].length <= SHIP_NAME_MAX_LENGTH && SHIP_NAME.test(name) && !name.endsWith(' ');
}

/** The words for the rule (form hints and error messages). */
export const SHIP_NAME_RULE =
  "the ship's name must be 1-64 letters, digits, single spaces or . - ' & ( ) /, starting with a letter or digit";
