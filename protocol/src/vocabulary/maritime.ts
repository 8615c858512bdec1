/** Maritime identifiers a vessel certificate may carry: IMO ship number, MMSI and flag state. */

/** The shapes of the identifiers (the IMO number also needs its check digit: {@link isValidImoNumber}). */
export const MARITIME_SHAPES = {
  /** IMO ship identification number: 7 digits. */
  imo: /^\d{7}$/u,
  /** Maritime Mobile Service Identity: 9 digits. */
  mmsi: /^\d{9}$/u,
  /** Flag state: an upper-case ISO 3166-1 alpha-2 code. */
  flag: /^[A-Z]{2}$/u,
} as const;

/** True when the IMO number has 7 digits and a correct check digit (weights 7..2 over the first six). */
export function isValidImoNumber(imo: string): boolean {
  if (!MARITIME_SHAPES.imo.test(imo)) return false;
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(imo[i]) * (7 - i);
  return sum % 10 === Number(imo[6]);
}

/** True for a 9-digit MMSI. */
export function isValidMmsi(mmsi: string): boolean {
  return MARITIME_SHAPES.mmsi.test(mmsi);
}

/** True for an upper-case ISO 3166-1 alpha-2 code shape. */
export function isValidFlag(flag: string): boolean {
  return MARITIME_SHAPES.flag.test(flag);
}

/** The words for each rule (form hints and error messages). */
export const MARITIME_RULES = {
  imo: 'the IMO number must have 7 digits and a valid check digit',
  mmsi: 'the MMSI must have 9 digits',
  flag: 'the flag state must be an ISO 3166-1 alpha-2 code',
} as const;
