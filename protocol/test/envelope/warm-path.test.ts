import { beforeAll, describe, expect, it } from 'vitest';
import { signCommand, TYP_COMMAND, verifyCommand, type VerifyCommandOptions } from '../../src/envelope';
import type { CrlProvider } from '../../src/envelope/trust';
import { nodeSignatureVerifier } from '../../src/node/signature';
import { MemoryReplayStore } from '../../src/replay';
import {
  clock,
  CMD,
  createWorld,
  NOW,
  rawSign,
  rejection,
  VESSEL,
  x5cOf,
  commandClaims,
  type World,
} from './fixtures';

// The warm path opens an envelope without a promise when the signer is cached and the verifier synchronous; these
// pin down that it keeps every check of the awaited path.
let w: World;
beforeAll(async () => {
  w = await createWorld();
});

const command = () => signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
const tamper = (token: string) => {
  const dot = token.lastIndexOf('.');
  const sig = Buffer.from(token.slice(dot + 1), 'base64url');
  sig[5]! ^= 1;
  return `${token.slice(0, dot + 1)}${sig.toString('base64url')}`;
};

describe.each([
  ['node:crypto (synchronous)', nodeSignatureVerifier],
  ['WebCrypto (a promise)', undefined],
] as const)('a warm verification with the %s verifier', (_name, signatureVerifier) => {
  const options = (extra: Partial<VerifyCommandOptions> = {}): VerifyCommandOptions => ({
    trust: w.trust(signatureVerifier ? { signatureVerifier } : {}),
    clock,
    audience: VESSEL,
    replay: new MemoryReplayStore(),
    ...extra,
  });

  it('refuses a bad signature from a cached signer, and a replay', async () => {
    const o = options();
    await verifyCommand((await command()).token, o);
    expect(o.trust.cachedSigner(x5cOf(w.pilot)[0]!, 'ES256', NOW.getTime())).toBeDefined();
    const { token } = await command();
    expect((await rejection(verifyCommand(tamper(token), o))).code).toBe('ERR_SIGNATURE_INVALID');
    await verifyCommand(token, o);
    expect((await rejection(verifyCommand(token, o))).code).toBe('ERR_REPLAY');
  });

  it('refuses a signature of the wrong length from a cached signer', async () => {
    const o = options();
    await verifyCommand((await command()).token, o);
    const { token } = await command();
    const short = `${token.slice(0, token.lastIndexOf('.') + 1)}${Buffer.alloc(63, 1).toString('base64url')}`;
    expect((await rejection(verifyCommand(short, o))).code).toBe('ERR_SIGNATURE_INVALID');
  });

  it('checks the claims after a cached signer verified (aud)', async () => {
    const o = options();
    await verifyCommand((await command()).token, o);
    const other = await rawSign(
      w.pilot.keys.privateKey,
      { alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(w.pilot) },
      commandClaims('pilot-1', { aud: 'vessel-2' }),
    );
    expect((await rejection(verifyCommand(other, o))).code).toBe('ERR_AUD_MISMATCH');
  });
});

describe('Trust.cachedSigner', () => {
  it('is the signer of a validated path only under the CRL generation and inside the time window it was validated for', async () => {
    let generation = 1;
    const crls: CrlProvider = {
      get generation() {
        return generation;
      },
      crls: () => [],
    };
    const trust = w.trust({ crls, signatureVerifier: nodeSignatureVerifier });
    // The cache key: the x5c strings joined (the signer's certificate only).
    const key = x5cOf(w.pilot)[0]!;
    expect(trust.cachedSigner(key, 'ES256', NOW.getTime())).toBeUndefined();
    await verifyCommand((await command()).token, {
      trust,
      clock,
      audience: VESSEL,
      replay: new MemoryReplayStore(),
    });
    const signer = trust.cachedSigner(key, 'ES256', NOW.getTime());
    expect(signer?.info.entityId).toBe('pilot-1');
    // A key imported for ES256 is no signer for another alg.
    expect(trust.cachedSigner(key, 'EdDSA', NOW.getTime())).toBeUndefined();
    // Past the leaf's notAfter: never from the cache.
    expect(trust.cachedSigner(key, 'ES256', w.pilot.certificate.notAfter.getTime() + 1)).toBeUndefined();
    generation++;
    expect(trust.cachedSigner(key, 'ES256', NOW.getTime())).toBeUndefined();
  });
});

describe('an asynchronous replay store', () => {
  it('is awaited: a first use passes, a repeat is ERR_REPLAY', async () => {
    const seen = new MemoryReplayStore();
    const replay = {
      checkAndRecord: (e: Parameters<MemoryReplayStore['checkAndRecord']>[0], now: number) =>
        Promise.resolve(seen.checkAndRecord(e, now)),
    };
    const trust = w.trust({ signatureVerifier: nodeSignatureVerifier });
    const { token } = await command();
    const o = { trust, clock, audience: VESSEL, replay };
    await expect(verifyCommand(token, o)).resolves.toMatchObject({ signer: { entityId: 'pilot-1' } });
    const err = await rejection(verifyCommand(token, o));
    expect(err.code).toBe('ERR_REPLAY');
    expect(err.details).toMatchObject({ attributable: true, signer: 'pilot-1' });
  });
});
