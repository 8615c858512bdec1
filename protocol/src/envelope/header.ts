/**
 * Size and protected-header checks, done before any key or certificate is looked at. Nothing in the header is
 * trusted except what these checks allow: one allow-listed asymmetric `alg`, the exact expected `typ` and either an
 * `x5c` chain that is then validated against the injected trust anchors or (acks only) an `x5t#S256` naming a
 * certificate the verifier validated before, which is validated again.
 */
import { HelmlinkError } from '../errors';
import {
  ALLOWED_HEADER_PARAMS,
  KEY_HEADER_PARAMS,
  MAX_X5C_CERTIFICATES,
  THUMBPRINT_TYPS,
  type EnvelopeHeader,
  type TokenTyp,
} from './types';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../vocabulary/algorithms';

const BASE64URL = /^[A-Za-z0-9_-]*$/u;
const STD_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/u;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The three segments of a compact JWS, located without copying the token. */
export interface CompactParts {
  text: string;
  /** Index of the first and second dot. */
  dot1: number;
  dot2: number;
}

/**
 * Checks the size (before any decoding) and the compact shape: exactly three parts, each canonical base64url (see
 * {@link isBase64Url}). The text is taken exactly as given: no whitespace is trimmed, so the bytes an ack's
 * `cmd_sha256` names are always the token's own compact serialization (a payload with a trailing newline is refused).
 * @throws HelmlinkError ERR_TOKEN_TOO_LARGE, ERR_TOKEN_MALFORMED.
 */
export function checkTokenSize(token: string | Uint8Array, maxBytes: number): CompactParts {
  if (typeof token !== 'string' && !(token instanceof Uint8Array))
    throw new TypeError('token must be a string or Uint8Array');
  // Every valid token is ASCII, so for strings the character count is the byte count; a longer string is rejected
  // before anything else looks at it.
  const size = typeof token === 'string' ? token.length : token.byteLength;
  if (size > maxBytes) {
    throw new HelmlinkError('ERR_TOKEN_TOO_LARGE', `the token is ${size} bytes; the maximum is ${maxBytes}`, {
      details: { size, maxBytes },
    });
  }
  let text: string;
  try {
    text = typeof token === 'string' ? token : utf8.decode(token);
  } catch {
    throw new HelmlinkError('ERR_TOKEN_MALFORMED', 'the token is not UTF-8 text');
  }
  const dot1 = text.indexOf('.');
  const dot2 = dot1 < 0 ? -1 : text.indexOf('.', dot1 + 1);
  if (
    dot1 <= 0 ||
    dot2 <= dot1 + 1 ||
    text.indexOf('.', dot2 + 1) >= 0 ||
    !isBase64Url(text.slice(0, dot1)) ||
    !isBase64Url(text.slice(dot1 + 1, dot2)) ||
    // An empty signature is canonical too: it fails as ERR_SIGNATURE_INVALID (or alg none first) later.
    !isCanonicalBase64Url(text.slice(dot2 + 1))
  ) {
    throw new HelmlinkError(
      'ERR_TOKEN_MALFORMED',
      'the token is not a compact JWS (three canonical base64url parts, nothing around them)',
    );
  }
  return { text, dot1, dot2 };
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * True when `segment` is canonical base64url (RFC 7515 §2, RFC 4648 §3.5): the alphabet without padding, never a
 * length of 4n+1, and the unused low bits of the last character zero. Lenient decoders accept non-zero trailing
 * bits, which would give one signed token a second spelling (and an ack's `cmd_sha256` a second value).
 */
export function isCanonicalBase64Url(segment: string): boolean {
  if (!BASE64URL.test(segment)) return false;
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = BASE64URL_ALPHABET.indexOf(segment[segment.length - 1]!);
  // 2 characters carry 8 bits of 12 (4 unused), 3 carry 16 of 18 (2 unused).
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/** True when `segment` is non-empty canonical base64url ({@link isCanonicalBase64Url}). */
export function isBase64Url(segment: string): boolean {
  return segment.length > 0 && isCanonicalBase64Url(segment);
}

const NON_ASCII = /[\u0080-\u00ff]/u;

/**
 * base64url → UTF-8 text. Claims are nearly always ASCII: then the binary string from atob is the text itself and
 * the byte-by-byte copy into a Uint8Array for TextDecoder is skipped (it dominated payload decoding).
 */
function base64UrlToText(segment: string): string {
  const rest = segment.length % 4;
  if (rest === 1) throw new TypeError('invalid base64url length');
  const binary = atob(segment.replace(/-/gu, '+').replace(/_/gu, '/') + (rest ? '='.repeat(4 - rest) : ''));
  if (!NON_ASCII.test(binary)) return binary;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return utf8.decode(bytes);
}

/** Decodes a base64url JSON object segment; ERR_TOKEN_MALFORMED when it is not one. */
export function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  if (!isBase64Url(segment))
    throw new HelmlinkError('ERR_TOKEN_MALFORMED', `the token ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(base64UrlToText(segment));
  } catch {
    throw new HelmlinkError('ERR_TOKEN_MALFORMED', `the token ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HelmlinkError('ERR_TOKEN_MALFORMED', `the token ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * ASCII lower case only. Media types are ASCII (RFC 6838), and `toLowerCase()` also folds non-ASCII letters onto
 * ASCII ones (U+212A KELVIN SIGN becomes `k`), which would accept a `typ` that is not ours.
 */
function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/gu, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** `typ` values compare ASCII case-insensitively and may carry the `application/` prefix (RFC 7515 §4.1.9). */
function normalizeTyp(typ: string): string {
  const lower = asciiLowerCase(typ);
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/**
 * Checks a decoded protected header in the documented order: typ → alg → forbidden parameters and crit → signer
 * reference (exactly one of x5c and x5t#S256, the latter only on {@link THUMBPRINT_TYPS}) → x5c or x5t#S256 form.
 * @throws HelmlinkError ERR_JOSE_TYP_INVALID, ERR_JOSE_ALG_NOT_ALLOWED, ERR_JOSE_HEADER_FORBIDDEN,
 *   ERR_JOSE_CRIT_UNSUPPORTED, ERR_JOSE_SIGNER_AMBIGUOUS, ERR_JOSE_SIGNER_MISSING, ERR_JOSE_X5T_INVALID,
 *   ERR_JOSE_X5C_INVALID.
 */
export function checkHeader(
  header: Record<string, unknown>,
  expectedTyp: TokenTyp,
  algorithms: readonly JwsAlgorithm[],
): EnvelopeHeader {
  const { typ, alg, x5c } = header;
  if (typeof typ !== 'string' || normalizeTyp(typ) !== expectedTyp) {
    throw new HelmlinkError(
      'ERR_JOSE_TYP_INVALID',
      `expected typ ${expectedTyp}, got ${typeof typ === 'string' ? typ.slice(0, 40) : 'none'}`,
      {
        details: { expected: expectedTyp },
      },
    );
  }
  if (typeof alg !== 'string' || !(algorithms as readonly string[]).includes(alg)) {
    throw new HelmlinkError(
      'ERR_JOSE_ALG_NOT_ALLOWED',
      `algorithm ${typeof alg === 'string' ? alg.slice(0, 20) : 'none'} is not allowed`,
      {
        details: { allowed: [...algorithms] },
      },
    );
  }
  checkParameters(header, expectedTyp);
  const base = { alg: alg as JwsAlgorithm, typ: expectedTyp };
  const thumbprint = header[X5T_S256];
  if (thumbprint !== undefined) {
    if (x5c !== undefined)
      throw new HelmlinkError(
        'ERR_JOSE_SIGNER_AMBIGUOUS',
        'the token names its signer twice (x5c and x5t#S256): exactly one is allowed',
      );
    if (typeof thumbprint !== 'string' || thumbprint.length !== 43 || !isCanonicalBase64Url(thumbprint))
      throw new HelmlinkError('ERR_JOSE_X5T_INVALID', 'x5t#S256 must be a base64url SHA-256 (43 characters)');
    return { ...base, [X5T_S256]: thumbprint };
  }
  if (x5c === undefined && THUMBPRINT_TYPS.includes(expectedTyp))
    throw new HelmlinkError(
      'ERR_JOSE_SIGNER_MISSING',
      'the token names its signer neither in x5c nor in x5t#S256',
    );
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_X5C_CERTIFICATES) {
    throw new HelmlinkError(
      'ERR_JOSE_X5C_INVALID',
      `x5c must hold 1 to ${MAX_X5C_CERTIFICATES} certificates`,
    );
  }
  for (const entry of x5c) {
    if (typeof entry !== 'string' || !STD_BASE64.test(entry))
      throw new HelmlinkError('ERR_JOSE_X5C_INVALID', 'x5c entries must be standard base64 DER');
  }
  return { ...base, x5c: x5c as string[] };
}

const X5T_S256 = 'x5t#S256';

/** crit, parameters outside the allow-list and x5t#S256 on a token type that must carry its x5c. */
function checkParameters(header: Record<string, unknown>, typ: TokenTyp): void {
  for (const name of Object.keys(header)) {
    if (name === 'crit')
      throw new HelmlinkError(
        'ERR_JOSE_CRIT_UNSUPPORTED',
        'the token marks header extensions as critical; none are supported',
      );
    if (name === X5T_S256 && !THUMBPRINT_TYPS.includes(typ))
      throw new HelmlinkError(
        'ERR_JOSE_HEADER_FORBIDDEN',
        `header parameter x5t#S256 is not accepted on ${typ}: its signer certificate travels in x5c`,
        { details: { parameter: name } },
      );
    if (!(ALLOWED_HEADER_PARAMS as readonly string[]).includes(name)) {
      const keyParam = (KEY_HEADER_PARAMS as readonly string[]).includes(name);
      throw new HelmlinkError(
        'ERR_JOSE_HEADER_FORBIDDEN',
        keyParam
          ? `header parameter ${name} is never trusted: the key comes only from a validated certificate`
          : `header parameter ${name.slice(0, 20)} is not allowed`,
        { details: { parameter: name.slice(0, 20) } },
      );
    }
  }
}

/** Throws TypeError unless every algorithm is one the envelope supports (never none or HMAC). */
export function assertAlgorithms(algorithms: readonly string[]): readonly JwsAlgorithm[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    throw new TypeError('the algorithm allow-list must not be empty');
  for (const alg of algorithms) {
    if (!(JWS_ALGORITHMS as readonly string[]).includes(alg))
      throw new TypeError(`algorithm ${alg} is not supported (allowed: ${JWS_ALGORITHMS.join(', ')})`);
  }
  return algorithms as readonly JwsAlgorithm[];
}
