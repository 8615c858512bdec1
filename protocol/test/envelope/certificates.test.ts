/**
 * Acks naming the vessel certificate by `x5t#S256`: resolved only against certificates the verifier validated
 * itself (from verified state tokens), validated again at every use, refused everywhere else.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  signAck,
  signAlert,
  signCommand,
  signerThumbprint,
  signLink,
  signState,
  signToken,
  SignerCertificates,
  TYP_ACK,
  TYP_ALERT,
  TYP_COMMAND,
  TYP_LINK,
  TYP_STATE,
  verifyAck,
  verifyAlert,
  verifyCommand,
  verifyLink,
  verifyState,
  type Signer,
  type VerifyAckOptions,
} from '../../src/envelope';
import { rememberSigner, thumbprintOfFingerprint } from '../../src/envelope/certificates';
import { CrlStore } from '../../src/pki/crl-store';
import { MemoryReplayStore } from '../../src/replay';
import {
  ackClaimsFor,
  CATALOG,
  clock,
  CMD,
  createWorld,
  NOW,
  NOW_S,
  rawSign,
  rejection,
  VESSEL,
  x5cOf,
  type World,
  ackOptionsOf,
  STATE as state,
} from './fixtures';
import { createSigner } from '../../src/envelope';

let w: World;
let commandToken: string;
let commandJti: string;
let thumbprint: string;
beforeAll(async () => {
  w = await createWorld();
  const signed = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
  commandToken = signed.token;
  commandJti = signed.claims.jti;
  thumbprint = createHash('sha256').update(new Uint8Array(w.vessel.certificate.rawData)).digest('base64url');
});

async function stateToken(signer: Signer = w.vesselSigner): Promise<string> {
  return (
    await signState(signer, { clock, catalog: CATALOG, on: state.on, off: state.off, lastJti: null, seq: 1 })
  ).token;
}

async function ack(signer: Signer = w.vesselSigner, reference: 'x5c' | 'x5t#S256' = 'x5t#S256') {
  return (
    await signAck(signer, {
      clock,
      audience: 'pilot-1',
      inReplyTo: commandJti,
      commandToken,
      status: 'applied',
      state,
      signerReference: reference,
    })
  ).token;
}

/** A store holding the vessel's certificate, learnt from its verified state. */
async function learnt(trust = w.trust(), vesselSigner = w.vesselSigner, vesselId = VESSEL) {
  const certificates = new SignerCertificates();
  await verifyState(await stateToken(vesselSigner), { trust, clock, vesselId, certificates });
  return certificates;
}

const ackOptions = (extra: Partial<VerifyAckOptions> = {}): VerifyAckOptions =>
  ackOptionsOf(w, commandToken, extra);

const ackClaims = () =>
  ackClaimsFor(commandJti, createHash('sha256').update(commandToken).digest('base64url'));

describe('signing with x5t#S256', () => {
  it('names the vessel certificate by the base64url SHA-256 of its DER and leaves x5c out', async () => {
    expect(await signerThumbprint(w.vesselSigner)).toBe(thumbprint);
    const token = await ack();
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    expect(header).toEqual({ alg: 'ES256', typ: TYP_ACK, 'x5t#S256': thumbprint });
    // The ack without the certificate is smaller by the whole x5c.
    expect((await ack(w.vesselSigner, 'x5c')).length - token.length).toBeGreaterThan(500);
  });

  it('refuses x5t#S256 on every token type but acks (a caller bug)', async () => {
    for (const typ of [TYP_COMMAND, TYP_STATE, TYP_ALERT, TYP_LINK] as const)
      await expect(signToken(w.vesselSigner, typ, {}, 'x5t#S256')).rejects.toThrow(TypeError);
  });

  it('the thumbprint of a path fingerprint is the x5t#S256 spelling of the same digest', () => {
    const hex = createHash('sha256').update(new Uint8Array(w.vessel.certificate.rawData)).digest('hex');
    expect(thumbprintOfFingerprint(hex)).toBe(thumbprint);
    expect(() => thumbprintOfFingerprint(hex.toUpperCase())).toThrow(TypeError);
  });
});

describe('verifyAck with x5t#S256', () => {
  it('resolves the certificate of a verified state and verifies the ack', async () => {
    const certificates = await learnt();
    expect(certificates.has(thumbprint)).toBe(true);
    const verified = await verifyAck(await ack(), ackOptions({ certificates }));
    expect(verified.header).toEqual({ alg: 'ES256', typ: TYP_ACK, 'x5t#S256': thumbprint });
    expect(verified.signer).toMatchObject({ entityId: VESSEL, roles: ['vessel'] });
    expect(verified.claims.status).toBe('applied');
  });

  it('ERR_JOSE_X5T_UNKNOWN: without a store, with an empty one, or naming a certificate never validated', async () => {
    const token = await ack();
    for (const certificates of [undefined, new SignerCertificates()]) {
      const err = await rejection(verifyAck(token, ackOptions(certificates ? { certificates } : {})));
      expect(err.code).toBe('ERR_JOSE_X5T_UNKNOWN');
      expect(err.message).toMatch(/never fetched|holds no validated certificates/u);
      expect(err.details).toEqual({ thumbprint });
    }
    // A valid certificate of the same PKI, never seen in a verified state, is not resolved either.
    const other = await w.pki.issue(VESSEL, ['vessel']);
    const otherSigner = createSigner({ privateKey: other.keys.privateKey, chain: other.chain });
    const err = await rejection(
      verifyAck(await ack(otherSigner), ackOptions({ certificates: await learnt() })),
    );
    expect(err.code).toBe('ERR_JOSE_X5T_UNKNOWN');
  });

  it('only a state that verified fully records its signer', async () => {
    const certificates = new SignerCertificates();
    const token = await stateToken();
    // Authentic chain and signature, but not the vessel asked for: nothing is learnt.
    await expect(
      verifyState(token, { trust: w.trust(), clock, vesselId: 'vessel-2', certificates }),
    ).rejects.toMatchObject({ code: 'ERR_ISS_MISMATCH' });
    // A state that verifies without a store records nothing anywhere.
    await verifyState(token, { trust: w.trust(), clock, vesselId: VESSEL });
    expect(certificates.size).toBe(0);
    await verifyState(token, { trust: w.trust(), clock, vesselId: VESSEL, certificates });
    expect(certificates.size).toBe(1);
  });

  it('ERR_CHAIN_REVOKED: a certificate revoked after its state verified is refused at the next ack', async () => {
    const crls = new CrlStore();
    const trust = w.trust({ crls, revocation: { mode: 'leaf' } });
    await crls.accept(await w.pki.issuingCrl([]), w.pki.issuing.certificate);
    const certificates = await learnt(trust);
    await expect(verifyAck(await ack(), ackOptions({ trust, certificates }))).resolves.toBeTruthy();
    const revokedAt = new Date(NOW.getTime() - 1000);
    await crls.accept(
      await w.pki.issuingCrl([{ serial: w.vessel.certificate.serialNumber, revokedAt }]),
      w.pki.issuing.certificate,
    );
    const err = await rejection(verifyAck(await ack(), ackOptions({ trust, certificates })));
    expect(err.code).toBe('ERR_CHAIN_REVOKED');
  });

  it('ERR_CHAIN_EXPIRED: the resolved certificate is validated at the verification time', async () => {
    const certificates = await learnt();
    const token = await ack();
    const late = () => w.vessel.certificate.notAfter.getTime() + 1000;
    // The ack's own times are checked after the chain: the chain fails first.
    const err = await rejection(verifyAck(token, ackOptions({ certificates, clock: late })));
    expect(err.code).toBe('ERR_CHAIN_EXPIRED');
  });

  it('the resolved certificate still has to be the expected vessel with the vessel role', async () => {
    const vessel2 = await w.pki.issue('vessel-2', ['vessel']);
    const signer2 = createSigner({ privateKey: vessel2.keys.privateKey, chain: vessel2.chain });
    const certificates = await learnt(w.trust(), signer2, 'vessel-2');
    const err = await rejection(verifyAck(await ack(signer2), ackOptions({ certificates })));
    expect(err.code).toBe('ERR_ISS_MISMATCH');
    // Another known certificate named in the header of the vessel's own ack: the signature does not verify.
    const forged = await rawSign(
      w.vessel.keys.privateKey,
      { alg: 'ES256', typ: TYP_ACK, 'x5t#S256': await signerThumbprint(signer2) },
      ackClaims(),
    );
    expect((await rejection(verifyAck(forged, ackOptions({ certificates })))).code).toBe(
      'ERR_SIGNATURE_INVALID',
    );
  });

  it('ERR_JOSE_SIGNER_AMBIGUOUS: both x5c and x5t#S256', async () => {
    const certificates = await learnt();
    const token = await rawSign(
      w.vessel.keys.privateKey,
      { alg: 'ES256', typ: TYP_ACK, x5c: x5cOf(w.vessel), 'x5t#S256': thumbprint },
      ackClaims(),
    );
    expect((await rejection(verifyAck(token, ackOptions({ certificates })))).code).toBe(
      'ERR_JOSE_SIGNER_AMBIGUOUS',
    );
  });

  it('ERR_JOSE_SIGNER_MISSING: neither x5c nor x5t#S256', async () => {
    const token = await rawSign(w.vessel.keys.privateKey, { alg: 'ES256', typ: TYP_ACK }, ackClaims());
    const err = await rejection(verifyAck(token, ackOptions({ certificates: await learnt() })));
    expect(err.code).toBe('ERR_JOSE_SIGNER_MISSING');
  });

  it('ERR_JOSE_X5T_INVALID: not a string, the wrong length, padded, outside the alphabet, non-canonical', async () => {
    const certificates = await learnt();
    for (const value of [
      42,
      [thumbprint],
      thumbprint.slice(0, 42),
      // 44 canonical characters: only the length tells.
      `${thumbprint}A`,
      `${thumbprint}=`,
      `${thumbprint.slice(0, 42)}+`,
      // The last character of 43 carries 4 unused bits: a second spelling of the same digest.
      `${thumbprint.slice(0, 42)}${thumbprint.endsWith('B') ? 'C' : 'B'}`,
    ]) {
      const token = await rawSign(
        w.vessel.keys.privateKey,
        { alg: 'ES256', typ: TYP_ACK, 'x5t#S256': value },
        ackClaims(),
      );
      const err = await rejection(verifyAck(token, ackOptions({ certificates })));
      expect(err.code, JSON.stringify(value)).toBe('ERR_JOSE_X5T_INVALID');
    }
  });

  it('ERR_JOSE_HEADER_FORBIDDEN: x5t (SHA-1) stays refused on acks, with or without x5c', async () => {
    const certificates = await learnt();
    const sha1 = createHash('sha1').update(new Uint8Array(w.vessel.certificate.rawData)).digest('base64url');
    for (const header of [{ x5t: sha1 }, { x5t: sha1, x5c: x5cOf(w.vessel) }]) {
      const token = await rawSign(
        w.vessel.keys.privateKey,
        { alg: 'ES256', typ: TYP_ACK, ...header },
        ackClaims(),
      );
      expect((await rejection(verifyAck(token, ackOptions({ certificates })))).code).toBe(
        'ERR_JOSE_HEADER_FORBIDDEN',
      );
    }
  });
});

describe('x5t#S256 on every other token type', () => {
  it('ERR_JOSE_HEADER_FORBIDDEN on commands, state, alerts and links, even for a known certificate', async () => {
    const certificates = await learnt();
    const header = (typ: string) => ({ alg: 'ES256', typ, 'x5t#S256': thumbprint });
    const base = { iss: VESSEL, iat: NOW_S, jti: globalThis.crypto.randomUUID() };
    const command = await rawSign(
      w.pilot.keys.privateKey,
      {
        ...header(TYP_COMMAND),
        'x5t#S256': createHash('sha256')
          .update(new Uint8Array(w.pilot.certificate.rawData))
          .digest('base64url'),
      },
      { iss: 'pilot-1', aud: VESSEL, iat: NOW_S, nbf: NOW_S, exp: NOW_S + 30, jti: base.jti, cmd: CMD },
    );
    const err = await rejection(
      verifyCommand(command, { trust: w.trust(), clock, audience: VESSEL, replay: new MemoryReplayStore() }),
    );
    expect(err.code).toBe('ERR_JOSE_HEADER_FORBIDDEN');
    expect(err.details?.attributable).toBe(false);
    const vesselOptions = { trust: w.trust(), clock, vesselId: VESSEL, certificates };
    const stateClaims = { ...base, exp: NOW_S + 60, catalog: CATALOG, ...state, last_jti: null, seq: 2 };
    const key = w.vessel.keys.privateKey;
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['state', async () => verifyState(await rawSign(key, header(TYP_STATE), stateClaims), vesselOptions)],
      [
        'alert',
        async () =>
          verifyAlert(
            await rawSign(key, header(TYP_ALERT), {
              ...base,
              kind: 'redis',
              code: 'ERR_INTERNAL',
              message: 'x',
            }),
            vesselOptions,
          ),
      ],
      [
        'link',
        async () => verifyLink(await rawSign(key, header(TYP_LINK), { ...base, link: 'up' }), vesselOptions),
      ],
    ];
    for (const [name, run] of cases)
      expect((await rejection(run())).code, name).toBe('ERR_JOSE_HEADER_FORBIDDEN');
    // The same tokens signed with x5c verify: the refusal is the thumbprint's.
    await expect(
      verifyAlert(
        (await signAlert(w.vesselSigner, { clock, kind: 'redis', code: 'ERR_INTERNAL', message: 'x' })).token,
        vesselOptions,
      ),
    ).resolves.toBeTruthy();
    await expect(
      verifyLink((await signLink(w.vesselSigner, { clock, link: 'up' })).token, vesselOptions),
    ).resolves.toBeTruthy();
  });
});

describe('SignerCertificates', () => {
  it('keeps the most recently validated certificates up to its capacity', () => {
    const store = new SignerCertificates(2);
    const fp = (n: number) => n.toString(16).padStart(64, '0');
    rememberSigner(store, ['A'], fp(1));
    rememberSigner(store, ['B'], fp(2));
    rememberSigner(store, ['A'], fp(1)); // validated again: now the most recent
    rememberSigner(store, ['C'], fp(3));
    expect(store.size).toBe(2);
    expect(store.has(thumbprintOfFingerprint(fp(1)))).toBe(true);
    expect(store.has(thumbprintOfFingerprint(fp(2)))).toBe(false);
    expect(store.resolve(thumbprintOfFingerprint(fp(3)))).toEqual(['C']);
    expect(() => store.resolve(thumbprintOfFingerprint(fp(2)))).toThrow(
      expect.objectContaining({ code: 'ERR_JOSE_X5T_UNKNOWN' }),
    );
    store.clear();
    expect(store.size).toBe(0);
    expect(() => new SignerCertificates(0)).toThrow(TypeError);
  });
});

describe('SignerCertificates on its own', () => {
  const fp = (n: number) => n.toString(16).padStart(64, '0');

  it('holds one certificate with a capacity of 1, the latest validated', () => {
    const store = new SignerCertificates(1);
    rememberSigner(store, ['a'], fp(1));
    rememberSigner(store, ['b'], fp(2));
    expect(store.size).toBe(1);
    expect(store.resolve(thumbprintOfFingerprint(fp(2)))).toEqual(['b']);
    expect(store.has(thumbprintOfFingerprint(fp(1)))).toBe(false);
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => new SignerCertificates(capacity), String(capacity)).toThrow(
        new TypeError('capacity must be a positive integer'),
      );
  });

  it('reads a fingerprint only as exactly 64 lowercase hex digits (nothing before or after)', () => {
    const hex = 'ab'.repeat(32);
    expect(thumbprintOfFingerprint(hex)).toBe(Buffer.from(hex, 'hex').toString('base64url'));
    for (const bad of [`x${hex}`, `${hex}x`, hex.slice(2), `${hex}ab`, `:${hex}`])
      expect(() => thumbprintOfFingerprint(bad), bad).toThrow(
        new TypeError('a SHA-256 fingerprint is 64 lowercase hex digits'),
      );
  });
});
