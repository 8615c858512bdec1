/**
 * Signing (sign.ts) on its own: a signer is what its certificate says, every token carries exactly the header and
 * claims the verifier expects, and each caller bug is refused before anything is signed (a lifetime beyond the
 * profile's bound, an ack that claims a reason it may not carry, a state that no console would accept).
 */
import { base64url, compactVerify, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  algorithmForKey,
  createSigner,
  signAck,
  signCommand,
  signerThumbprint,
  signState,
  signToken,
  type Signer,
} from '../../src/envelope/sign';
import { commandDigest } from '../../src/envelope/digest';
import {
  DEFAULT_LIFETIME_SECONDS,
  DEFAULT_STATE_LIFETIME_SECONDS,
  MAX_LIFETIME_SECONDS,
  MAX_STATE_LIFETIME_SECONDS,
  TYP_ACK,
  TYP_COMMAND,
  TYP_STATE,
} from '../../src/envelope/types';
import { bytesToBase64 } from '../../src/pki/pem';
import { createTestPki, type TestEntity } from '../../src/testing/pki';
import { ALL, CATALOG, clock, CMD, NOW, NOW_S, STATE, VESSEL } from './fixtures';

// Signers are made inside each test, never in a hook: a fault in createSigner must fail a test, not a hook (a failed
// hook skips its tests, which a mutation run would count as a survivor).
let pilot: TestEntity;
let vessel: TestEntity;
let ed: TestEntity;
beforeAll(async () => {
  const pki = await createTestPki({ now: NOW });
  pilot = await pki.issue('pilot-1', ['pilot']);
  vessel = await pki.issue(VESSEL, ['vessel']);
  ed = await pki.issue('pilot-ed', ['pilot'], { alg: 'EdDSA' });
});
const signerOf = (e: TestEntity): Signer => createSigner({ privateKey: e.keys.privateKey, chain: e.chain });

const JTI = '0b0e7c4e-3f5a-4a53-9c55-2e8f1e0f6a01';
const payloadOf = (token: string) =>
  JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[1]!))) as Record<string, unknown>;
const typeErrorOf = async (p: Promise<unknown> | (() => unknown)): Promise<string> => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(TypeError);
    return (err as Error).message;
  }
  throw new Error('expected a TypeError');
};

describe('signers', () => {
  it('infers the JWS algorithm from the key, and refuses a key that cannot sign tokens', async () => {
    const gen = (alg: Algorithm | EcKeyGenParams | RsaHashedKeyGenParams) =>
      globalThis.crypto.subtle.generateKey(alg, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;
    expect(
      algorithmForKey((await gen({ name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams)).privateKey),
    ).toBe('ES256');
    expect(
      algorithmForKey((await gen({ name: 'ECDSA', namedCurve: 'P-384' } as EcKeyGenParams)).privateKey),
    ).toBe('ES384');
    expect(algorithmForKey(ed.keys.privateKey)).toBe('EdDSA');
    expect(algorithmForKey({ algorithm: { name: 'RSA-PSS' } } as CryptoKey)).toBe('PS256');
    // An ECDH key has a named curve too, but it cannot sign.
    for (const namedCurve of ['P-256', 'P-384']) {
      const ecdh = (await globalThis.crypto.subtle.generateKey({ name: 'ECDH', namedCurve }, false, [
        'deriveBits',
      ])) as CryptoKeyPair;
      expect(await typeErrorOf(() => algorithmForKey(ecdh.privateKey))).toBe(
        'a ECDH key cannot sign Helmlink tokens',
      );
    }
    const p521 = await gen({ name: 'ECDSA', namedCurve: 'P-521' } as EcKeyGenParams);
    expect(await typeErrorOf(() => algorithmForKey(p521.privateKey))).toBe(
      'a ECDSA key cannot sign Helmlink tokens',
    );
    expect(
      await typeErrorOf(() => algorithmForKey({ algorithm: { name: 'RSASSA-PKCS1-v1_5' } } as CryptoKey)),
    ).toBe('a RSASSA-PKCS1-v1_5 key cannot sign Helmlink tokens');
    expect(await typeErrorOf(() => algorithmForKey({ algorithm: { name: 'Ed448' } } as CryptoKey))).toBe(
      'a Ed448 key cannot sign Helmlink tokens',
    );
  });

  it('takes iss from the certificate and puts only the signer certificate into x5c', () => {
    const s = createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain });
    expect(pilot.chain).toHaveLength(2);
    expect(s).toEqual({
      alg: 'ES256',
      privateKey: pilot.keys.privateKey,
      entityId: 'pilot-1',
      x5c: [bytesToBase64(new Uint8Array(pilot.certificate.rawData))],
    });
    expect(s).not.toHaveProperty('signBytes');
    const raw = () => new Uint8Array(64);
    expect(
      createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain, signBytes: raw }).signBytes,
    ).toBe(raw);
    expect(createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain, alg: 'ES384' }).alg).toBe(
      'ES384',
    );
  });

  it('refuses an empty chain, a public key and an algorithm outside the allow-list', async () => {
    expect(await typeErrorOf(() => createSigner({ privateKey: pilot.keys.privateKey, chain: [] }))).toBe(
      'the certificate chain is empty',
    );
    expect(
      await typeErrorOf(() => createSigner({ privateKey: pilot.keys.publicKey, chain: pilot.chain })),
    ).toBe('privateKey must be a private key');
    expect(
      await typeErrorOf(() =>
        createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain, alg: 'HS256' as never }),
      ),
    ).toBe('unsupported algorithm HS256');
  });

  it('names the certificate by base64url SHA-256 of its DER (x5t#S256)', async () => {
    const digest = await globalThis.crypto.subtle.digest('SHA-256', pilot.certificate.rawData);
    expect(await signerThumbprint(signerOf(pilot))).toBe(base64url.encode(new Uint8Array(digest)));
  });
});

describe('signToken', () => {
  it('writes alg, typ and x5c, or x5t#S256 for an ack, and caches headers per typ and reference', async () => {
    const edSigner = signerOf(ed);
    const a = await signToken(edSigner, TYP_COMMAND, { n: 1 });
    const b = await signToken(edSigner, TYP_STATE, { n: 1 });
    const c = await signToken(edSigner, TYP_ACK, { n: 1 }, 'x5t#S256');
    const d = await signToken(edSigner, TYP_ACK, { n: 1 });
    expect(decodeProtectedHeader(a)).toEqual({ alg: 'EdDSA', typ: TYP_COMMAND, x5c: edSigner.x5c });
    expect(decodeProtectedHeader(b)).toEqual({ alg: 'EdDSA', typ: TYP_STATE, x5c: edSigner.x5c });
    expect(decodeProtectedHeader(c)).toEqual({
      alg: 'EdDSA',
      typ: TYP_ACK,
      'x5t#S256': await signerThumbprint(edSigner),
    });
    expect(decodeProtectedHeader(d)).toEqual({ alg: 'EdDSA', typ: TYP_ACK, x5c: edSigner.x5c });
    // Asked again (cached), the same headers.
    expect(decodeProtectedHeader(await signToken(edSigner, TYP_COMMAND, { n: 2 }))).toEqual(
      decodeProtectedHeader(a),
    );
    expect(decodeProtectedHeader(await signToken(edSigner, TYP_ACK, { n: 2 }, 'x5t#S256'))).toEqual(
      decodeProtectedHeader(c),
    );
    // Another signer has its own headers.
    expect(decodeProtectedHeader(await signToken(signerOf(pilot), TYP_COMMAND, {}))).toMatchObject({
      alg: 'ES256',
      x5c: signerOf(pilot).x5c,
    });
    const { payload } = await compactVerify(a, ed.keys.publicKey);
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ n: 1 });
  });

  it('refuses x5t#S256 on a command or state, and any other signer reference', async () => {
    const edSigner = signerOf(ed);
    for (const typ of [TYP_COMMAND, TYP_STATE] as const)
      expect(await typeErrorOf(signToken(edSigner, typ, {}, 'x5t#S256'))).toBe(
        `a ${typ} names its signer in x5c`,
      );
    expect(await typeErrorOf(signToken(edSigner, TYP_ACK, {}, 'jku' as never))).toBe(
      `a ${TYP_ACK} names its signer in x5c`,
    );
  });

  it('with a raw signer writes the very token jose writes (Ed25519 is deterministic)', async () => {
    const edSigner = signerOf(ed);
    const raw: Signer = {
      ...edSigner,
      signBytes: async (input) =>
        new Uint8Array(
          await globalThis.crypto.subtle.sign('Ed25519', ed.keys.privateKey, input as BufferSource),
        ),
    };
    for (const reference of ['x5c', 'x5t#S256'] as const) {
      const claims = { iss: 'pilot-ed', n: [1, 2, 3], s: 'ü' };
      expect(await signToken(raw, TYP_ACK, claims, reference)).toBe(
        await signToken(edSigner, TYP_ACK, claims, reference),
      );
    }
    const sync: Signer = { ...edSigner, signBytes: () => Uint8Array.from([0xfb, 0xff]) };
    expect((await signToken(sync, TYP_COMMAND, {})).split('.')[2]).toBe('-_8');
  });
});

describe('signCommand', () => {
  it('binds issuer, audience, times and the command', async () => {
    const skewed = () => NOW_S * 1000 + 999;
    const { token, claims } = await signCommand(signerOf(pilot), {
      clock: skewed,
      audience: 'vessel-9',
      cmd: CMD,
      jti: JTI,
    });
    expect(claims).toEqual({
      iss: 'pilot-1',
      aud: 'vessel-9',
      iat: NOW_S,
      nbf: NOW_S,
      exp: NOW_S + DEFAULT_LIFETIME_SECONDS,
      jti: JTI,
      cmd: CMD,
    });
    expect(payloadOf(token)).toEqual(claims);
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: TYP_COMMAND, alg: 'ES256' });
    const random = await signCommand(signerOf(pilot), { clock, audience: 'vessel-9', cmd: CMD });
    expect(random.claims.jti).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u,
    );
    expect(random.claims.jti).not.toBe(
      (await signCommand(signerOf(pilot), { clock, audience: 'vessel-9', cmd: CMD })).claims.jti,
    );
  });

  it('takes lifetimes of 1 to 300 seconds, whole, and refuses the rest', async () => {
    const sign = (lifetimeSeconds: number) =>
      signCommand(signerOf(pilot), { clock, audience: 'v', cmd: CMD, lifetimeSeconds });
    expect((await sign(1)).claims.exp).toBe(NOW_S + 1);
    expect((await sign(MAX_LIFETIME_SECONDS)).claims.exp).toBe(NOW_S + MAX_LIFETIME_SECONDS);
    for (const bad of [0, -1, 1.5, MAX_LIFETIME_SECONDS + 1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(await typeErrorOf(sign(bad)), String(bad)).toBe(
        `lifetime must be an integer in 1..${MAX_LIFETIME_SECONDS} seconds`,
      );
  });

  it('refuses a command that is not one (checked before signing)', async () => {
    await expect(
      signCommand(signerOf(pilot), { clock, audience: 'v', cmd: { ...CMD, type: 'streams.nuke' } as never }),
    ).rejects.toThrow();
  });
});

describe('signAck', () => {
  const base = (extra: Record<string, unknown> = {}) => ({
    clock,
    audience: 'pilot-1',
    inReplyTo: JTI,
    commandToken: 'a.b.c',
    status: 'applied' as const,
    state: STATE,
    jti: JTI,
    ...extra,
  });

  it('binds the command by its digest (computed or given), copies the state, and carries no reason when applied', async () => {
    const { token, claims } = await signAck(signerOf(vessel), base());
    expect(claims).toEqual({
      iss: 'vessel-1',
      aud: 'pilot-1',
      iat: NOW_S,
      nbf: NOW_S,
      exp: NOW_S + DEFAULT_LIFETIME_SECONDS,
      jti: JTI,
      in_reply_to: JTI,
      cmd_sha256: await commandDigest('a.b.c'),
      status: 'applied',
      state: STATE,
    });
    expect(Object.keys(claims)).not.toContain('reason');
    expect(Object.keys(claims)).not.toContain('reason_text');
    expect(claims.state.on).not.toBe(STATE.on);
    expect(claims.state.off).not.toBe(STATE.off);
    expect(payloadOf(token)).toEqual(claims);
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: TYP_ACK, x5c: signerOf(vessel).x5c });
    const given = await signAck(signerOf(vessel), base({ commandSha256: 'given-digest' }));
    expect(given.claims.cmd_sha256).toBe('given-digest');
    const named = await signAck(signerOf(vessel), base({ signerReference: 'x5t#S256' }));
    expect(decodeProtectedHeader(named.token)).toHaveProperty('x5t#S256');
  });

  it('carries the reason and the vessel’s words of a rejection', async () => {
    const { claims } = await signAck(
      signerOf(vessel),
      base({ status: 'rejected', reason: 'ERR_STREAM_UNKNOWN', reasonText: 'the VDR feed must stay on' }),
    );
    expect(claims).toMatchObject({
      status: 'rejected',
      reason: 'ERR_STREAM_UNKNOWN',
      reason_text: 'the VDR feed must stay on',
    });
    const bare = await signAck(signerOf(vessel), base({ status: 'rejected', reason: 'ERR_STREAM_UNKNOWN' }));
    expect(bare.claims).not.toHaveProperty('reason_text');
    expect(payloadOf(bare.token)).not.toHaveProperty('reason_text');
  });

  it('refuses an ack whose reason does not fit its status (caller bugs, never signed)', async () => {
    expect(await typeErrorOf(signAck(signerOf(vessel), base({ status: 'rejected' })))).toBe(
      'a rejected ack needs a registered reason code (ERR_...)',
    );
    expect(
      await typeErrorOf(signAck(signerOf(vessel), base({ status: 'rejected', reason: 'ERR_MADE_UP' }))),
    ).toBe('a rejected ack needs a registered reason code (ERR_...)');
    expect(await typeErrorOf(signAck(signerOf(vessel), base({ reason: 'ERR_STREAM_UNKNOWN' })))).toBe(
      'an applied ack carries no reason',
    );
    expect(await typeErrorOf(signAck(signerOf(vessel), base({ reasonText: 'fine' })))).toBe(
      'only a rejected ack carries a reason text',
    );
    expect(
      await typeErrorOf(
        signAck(
          signerOf(vessel),
          base({ status: 'rejected', reason: 'ERR_STREAM_UNKNOWN', reasonText: 'a\nb' }),
        ),
      ),
    ).toBe('reasonText must be sanitised first (sanitizeReasonText)');
    expect(
      await typeErrorOf(
        signAck(signerOf(vessel), base({ status: 'rejected', reason: 'ERR_STREAM_UNKNOWN', reasonText: '' })),
      ),
    ).toBe('reasonText must be sanitised first (sanitizeReasonText)');
  });
});

describe('signState', () => {
  const base = (extra: Record<string, unknown> = {}) => ({
    clock,
    catalog: CATALOG,
    on: STATE.on,
    off: STATE.off,
    lastJti: null,
    seq: 0,
    jti: JTI,
    ...extra,
  });

  it('signs the catalog, the streams (copied), the last jti and the sequence number', async () => {
    const { token, claims } = await signState(signerOf(vessel), base({ lastJti: JTI, seq: 7 }));
    expect(claims).toEqual({
      iss: 'vessel-1',
      iat: NOW_S,
      exp: NOW_S + DEFAULT_STATE_LIFETIME_SECONDS,
      jti: JTI,
      catalog: CATALOG,
      on: STATE.on,
      off: STATE.off,
      last_jti: JTI,
      seq: 7,
    });
    expect(claims.on).not.toBe(STATE.on);
    expect(claims.off).not.toBe(STATE.off);
    expect(payloadOf(token)).toEqual(claims);
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: TYP_STATE, x5c: signerOf(vessel).x5c });
    const random = await signState(signerOf(vessel), base({ jti: undefined }));
    expect(random.claims.jti).toMatch(/^[0-9a-f-]{36}$/u);
    expect(random.claims.last_jti).toBeNull();
  });

  it('takes state lifetimes of 1 s to a day, whole, and refuses the rest', async () => {
    const sign = (expiresInSeconds: number) => signState(signerOf(vessel), base({ expiresInSeconds }));
    expect((await sign(1)).claims.exp).toBe(NOW_S + 1);
    expect((await sign(MAX_STATE_LIFETIME_SECONDS)).claims.exp).toBe(NOW_S + MAX_STATE_LIFETIME_SECONDS);
    for (const bad of [0, -1, 2.5, MAX_STATE_LIFETIME_SECONDS + 1, Number.NaN])
      expect(await typeErrorOf(sign(bad)), String(bad)).toBe(
        `expiresInSeconds must be an integer in 1..${MAX_STATE_LIFETIME_SECONDS}`,
      );
  });

  it('refuses a sequence number or last jti a console would refuse, and an inconsistent stream set', async () => {
    for (const seq of [-1, 1.5, Number.NaN, 2 ** 53])
      expect(await typeErrorOf(signState(signerOf(vessel), base({ seq }))), String(seq)).toBe(
        'seq must be a non-negative integer',
      );
    expect((await signState(signerOf(vessel), base({ seq: Number.MAX_SAFE_INTEGER }))).claims.seq).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect(await typeErrorOf(signState(signerOf(vessel), base({ lastJti: 'not-a-uuid' })))).toBe(
      'lastJti must be a UUID or null',
    );
    await expect(signState(signerOf(vessel), base({ on: ALL, off: ALL }))).rejects.toThrow();
  });
});
