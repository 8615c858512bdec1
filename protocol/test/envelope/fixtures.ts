/** Shared fixtures for envelope tests: a code-generated PKI, signers and raw token crafting. */
import { base64url, CompactSign } from 'jose';
import { createTestPki, type TestEntity, type TestPki } from '../../src/testing/pki';
import { IEC_61162_450_CATALOG } from '../../src/catalog';
import {
  createSigner,
  createTrust,
  type Signer,
  type Trust,
  type TrustOptions,
  type VerifyAckOptions,
} from '../../src/envelope';
import { bytesToBase64 } from '../../src/pki/pem';
import { HelmlinkError } from '../../src/errors';

/** The coded error a promise rejects with (anything else, or no rejection, fails the test). */
export async function rejection(p: Promise<unknown>): Promise<HelmlinkError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HelmlinkError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

export const NOW = new Date('2026-11-22T03:00:00Z');
export const NOW_S = Math.floor(NOW.getTime() / 1000);
export const clock = (): number => NOW.getTime();
export const VESSEL = 'vessel-1';
export const CATALOG = IEC_61162_450_CATALOG;
export const ALL = CATALOG.streams.map((s) => s.address);
export const CMD = { v: 1, type: 'streams.set', on: ALL.slice(0, 4), off: ALL.slice(4) } as const;
/** The stream state the vessel reports after applying CMD. */
export const STATE = { on: ALL.slice(0, 4), off: ALL.slice(4) };

export interface World {
  pki: TestPki;
  pilot: TestEntity;
  vessel: TestEntity;
  pilotSigner: Signer;
  vesselSigner: Signer;
  trust: (extra?: Partial<TrustOptions>) => Trust;
}

export async function createWorld(): Promise<World> {
  const pki = await createTestPki({ now: NOW });
  const pilot = await pki.issue('pilot-1', ['pilot']);
  const vessel = await pki.issue(VESSEL, ['vessel']);
  return {
    pki,
    pilot,
    vessel,
    pilotSigner: createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain }),
    vesselSigner: createSigner({ privateKey: vessel.keys.privateKey, chain: vessel.chain }),
    // Every verifier is configured with the issuing CA: signers put only their own certificate into x5c.
    trust: (extra = {}) =>
      createTrust({
        trustAnchors: [pki.root.certificate],
        intermediates: [pki.issuing.certificate],
        revocation: { mode: 'off' },
        ...extra,
      }),
  };
}

/** The console's options for an ack of VESSEL to pilot-1 answering `commandToken`, with `extra` on top. */
export const ackOptionsOf = (
  w: World,
  commandToken: string,
  extra: Partial<VerifyAckOptions> = {},
): VerifyAckOptions => ({
  trust: w.trust(),
  clock,
  vesselId: VESSEL,
  audience: 'pilot-1',
  commandToken,
  ...extra,
});

/** The options every verifier of what VESSEL signs (states, events) takes, with `extra` on top. */
export const vesselOptionsOf = <T extends object>(
  w: World,
  extra: T,
): { trust: Trust; clock: () => number; vesselId: string } & T => ({
  trust: w.trust(),
  clock,
  vesselId: VESSEL,
  ...extra,
});

/** A coded refusal as a plain object (code, message, details) for one toMatchObject/toEqual. */
export async function refusal(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; details: unknown }> {
  const err = await rejection(p);
  return { code: err.code, message: err.message, details: err.details };
}

/** The coded refusal of a synchronous check as a plain object (anything else, or no refusal, fails the test). */
export function refusalOf(fn: () => unknown): { code: string; message: string; details: unknown } {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof HelmlinkError)) throw err;
    return { code: err.code, message: err.message, details: err.details };
  }
  throw new Error('expected a refusal');
}

/** The ERR_CLAIM_INVALID refusal of `claim` with `message`. */
export const invalid = (message: string, claim: string) => ({
  code: 'ERR_CLAIM_INVALID',
  message,
  details: { claim },
});

export const x5cOf = (entity: TestEntity): string[] =>
  entity.chain.map((c) => bytesToBase64(new Uint8Array(c.rawData)));

/** Standard command claims at NOW for the given signer id. */
export function commandClaims(
  iss = 'pilot-1',
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    iss,
    aud: VESSEL,
    iat: NOW_S,
    nbf: NOW_S,
    exp: NOW_S + 30,
    jti: globalThis.crypto.randomUUID(),
    cmd: CMD,
    ...overrides,
  };
}

/**
 * An ack's claims as the vessel signs them for the command `commandJti` whose token hashes to `cmdSha256`, with
 * `over` replacing (undefined: removing) claims.
 */
export function ackClaimsFor(
  commandJti: string,
  cmdSha256: string,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: VESSEL,
    aud: 'pilot-1',
    iat: NOW_S,
    nbf: NOW_S,
    exp: NOW_S + 30,
    jti: globalThis.crypto.randomUUID(),
    in_reply_to: commandJti,
    cmd_sha256: cmdSha256,
    status: 'applied',
    state: STATE,
    ...over,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return claims;
}

/** Signs arbitrary header and claims with a real key (for tokens our signer refuses to produce). */
export async function rawSign(
  key: CryptoKey,
  header: Record<string, unknown>,
  claims: unknown,
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader(header as { alg: string })
    .sign(key);
}

/** Builds a token from parts without signing (for alg none and tampering). */
export function assemble(header: unknown, claims: unknown, signature = ''): string {
  const enc = (v: unknown) => base64url.encode(new TextEncoder().encode(JSON.stringify(v)));
  return `${enc(header)}.${enc(claims)}.${signature}`;
}
