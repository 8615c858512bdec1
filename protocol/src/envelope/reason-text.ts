/**
 * The vessel's own words for a rejection, as an ack carries them in `reason_text` (next to the `reason` code):
 * typically the ship systems hook's first line, e.g. "the voyage data recorder feed (VDRD) must stay on". The text
 * comes from a program on board and reaches people ashore, so it is reduced to plain words before it is signed and
 * refused at the console unless it is exactly that: one line, at most {@link MAX_REASON_TEXT_LENGTH} characters,
 * no control or format characters (C0, C1, DEL, bidirectional overrides, zero-width characters), no markup.
 */

/** The longest reason text an ack carries, in characters (code points). */
export const MAX_REASON_TEXT_LENGTH = 200;

const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/u;
// Control (Cc), format (Cf: bidi overrides, zero-width, BOM) and lone surrogate (Cs) code points.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;
// Something that reads as a tag, a closing tag, a comment or a declaration; a lone comparison sign does not.
const TAG = /<[/!?]?[A-Za-z!-][^<>]*>/gu;
const ANGLE = /[<>]/gu;

/** One line made plain: tabs as spaces, control and format characters and markup removed, spaces collapsed. */
function plain(line: string): string {
  return line
    .replace(/\t/gu, ' ')
    .replace(INVISIBLE, '')
    .replace(TAG, ' ')
    .replace(ANGLE, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * The reason text for `raw` output: its first line with anything left after {@link plain}, cut to
 * {@link MAX_REASON_TEXT_LENGTH} characters; undefined when no line has any.
 */
export function sanitizeReasonText(raw: string): string | undefined {
  for (const line of raw.split(LINE_BREAK)) {
    const text = plain(line);
    if (text) return [...text].slice(0, MAX_REASON_TEXT_LENGTH).join('').trimEnd();
  }
  return undefined;
}

/** True when `value` is a reason text as {@link sanitizeReasonText} writes it (and so safe to show as it is). */
export function isReasonText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && sanitizeReasonText(value) === value;
}
