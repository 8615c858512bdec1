/**
 * Maritime identifiers a vessel certificate may carry: IMO ship number, MMSI and flag state. One place for the rules:
 * the CA (token creation), the console's IPC contract and its token form all call these.
 *
 * The flag must be an officially assigned ISO 3166-1 alpha-2 code, the MMSI a ship station identity (ITU-R M.585:
 * the first three digits are a maritime identification digit, MID, allocated to a flag state), and when both are
 * given the MID must belong to the flag. The tables are generated from named sources (maritime-tables.ts).
 */
import { ISO_3166_1_ALPHA_2, MID_ALLOCATIONS } from './maritime-tables';

/** The shapes of the identifiers (the IMO number also needs its check digit: {@link isValidImoNumber}). */
export const MARITIME_SHAPES = {
  /** IMO ship identification number: 7 digits. */
  imo: /^\d{7}$/u,
  /** Maritime Mobile Service Identity: 9 digits. */
  mmsi: /^\d{9}$/u,
  /** Flag state: an upper-case ISO 3166-1 alpha-2 code. */
  flag: /^[A-Z]{2}$/u,
} as const;

const FLAG_STATES: ReadonlySet<string> = new Set(ISO_3166_1_ALPHA_2.split(/\s+/u).filter(Boolean));

const MID_FLAGS: ReadonlyMap<string, string> = (() => {
  const words = MID_ALLOCATIONS.split(/\s+/u).filter(Boolean);
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < words.length; i += 2) map.set(words[i]!, words[i + 1]!);
  return map;
})();

/**
 * True when the IMO number has 7 digits, does not start with 0 (IMO ship numbers never do, so `0000000` is refused
 * although its check digit works out) and has a correct check digit (weights 7..2 over the first six).
 */
export function isValidImoNumber(imo: string): boolean {
  if (!MARITIME_SHAPES.imo.test(imo) || imo[0] === '0') return false;
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(imo[i]) * (7 - i);
  return sum % 10 === Number(imo[6]);
}

/** The maritime identification digits of a ship station MMSI (its first three digits). */
export function mmsiMid(mmsi: string): string {
  return mmsi.slice(0, 3);
}

/** The ISO 3166-1 alpha-2 code of the flag state a MID is allocated to, or undefined for an unallocated MID. */
export function midFlag(mid: string): string | undefined {
  return MID_FLAGS.get(mid);
}

/** True for a 9-digit ship station MMSI whose MID is allocated (so `000000000` and coast-station forms are refused). */
export function isValidMmsi(mmsi: string): boolean {
  return MARITIME_SHAPES.mmsi.test(mmsi) && MID_FLAGS.has(mmsiMid(mmsi));
}

/** True for an officially assigned ISO 3166-1 alpha-2 code (upper case; `XX` and reserved codes are refused). */
export function isValidFlag(flag: string): boolean {
  return MARITIME_SHAPES.flag.test(flag) && FLAG_STATES.has(flag);
}

/** The words for each rule (form hints and error messages). */
export const MARITIME_RULES = {
  imo: 'the IMO number must have 7 digits, not start with 0 and have a valid check digit',
  mmsi: 'the MMSI must be a 9-digit ship station identity starting with an allocated maritime identification digit (MID)',
  flag: 'the flag state must be an assigned ISO 3166-1 alpha-2 code',
  mmsiFlag: "the MMSI's maritime identification digits (MID) must be allocated to the flag state",
} as const;

/** The maritime attributes of an enrollment. */
export interface MaritimeIdentifiers {
  imo?: string | undefined;
  mmsi?: string | undefined;
  flag?: string | undefined;
}

/** The first rule the attributes break (`field` is the attribute to point at), or undefined when they are valid. */
export function maritimeProblem(
  attrs: MaritimeIdentifiers,
): { field: keyof MaritimeIdentifiers; rule: keyof typeof MARITIME_RULES; message: string } | undefined {
  const problem = (field: keyof MaritimeIdentifiers, rule: keyof typeof MARITIME_RULES) => ({
    field,
    rule,
    message: MARITIME_RULES[rule],
  });
  if (attrs.imo !== undefined && !isValidImoNumber(attrs.imo)) return problem('imo', 'imo');
  if (attrs.mmsi !== undefined && !isValidMmsi(attrs.mmsi)) return problem('mmsi', 'mmsi');
  if (attrs.flag !== undefined && !isValidFlag(attrs.flag)) return problem('flag', 'flag');
  if (attrs.mmsi !== undefined && attrs.flag !== undefined && midFlag(mmsiMid(attrs.mmsi)) !== attrs.flag)
    return problem('mmsi', 'mmsiFlag');
  return undefined;
}
