// verifyCommand's own checks and the attribution it hands the vessel: whom a rejection may be answered to (an
// authenticated pilot with a readable jti, nobody else), and the exact words of the pilot-facing refusals.
import { CompactSign } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  attributionOf,
  isAttributable,
  TYP_COMMAND,
  verifyCommand,
  type VerifyCommandOptions,
} from '../../src/envelope';
import { HelmlinkError } from '../../src/errors';
import { MemoryReplayStore } from '../../src/replay';
import {
  ALL,
  CATALOG,
  clock,
  commandClaims,
  createWorld,
  rawSign,
  VESSEL,
  x5cOf,
  type World,
  rejection,
} from './fixtures';

let w: World;
beforeAll(async () => {
  w = await createWorld();
});

const options = (extra: Partial<VerifyCommandOptions> = {}): VerifyCommandOptions => ({
  trust: w.trust(),
  clock,
  audience: VESSEL,
  replay: new MemoryReplayStore(),
  ...extra,
});

const sign = (claims: Record<string, unknown>, entity = w.pilot) =>
  rawSign(entity.keys.privateKey, { alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(entity) }, claims);

describe('verifyCommand: attribution', () => {
  it('a pilot claiming to be another pilot: ERR_ISS_MISMATCH naming both, answered to the certified signer', async () => {
    const claims = commandClaims('pilot-2');
    const err = await rejection(verifyCommand(await sign(claims), options()));
    expect(err.message).toBe('iss pilot-2 is not the signer pilot-1');
    expect(err.details).toEqual({ iss: 'pilot-2', attributable: true, signer: 'pilot-1', jti: claims.jti });
  });

  it('a command for another vessel: ERR_AUD_MISMATCH naming both', async () => {
    const claims = commandClaims('pilot-1', { aud: 'vessel-2' });
    const err = await rejection(verifyCommand(await sign(claims), options()));
    expect(err.code).toBe('ERR_AUD_MISMATCH');
    expect(err.message).toBe(`the command is for vessel-2, not ${VESSEL}`);
    expect(err.details).toEqual({ aud: 'vessel-2', attributable: true, signer: 'pilot-1', jti: claims.jti });
  });

  it('an authentic pilot whose jti is not a UUID cannot be answered (the ack has nothing to name)', async () => {
    for (const jti of ['not-a-uuid', 42]) {
      const err = await rejection(verifyCommand(await sign(commandClaims('pilot-1', { jti })), options()));
      expect(err.code).toBe('ERR_CLAIM_INVALID');
      expect(err.details).toEqual({ claim: 'jti', attributable: false });
      expect(attributionOf(err)).toBeUndefined();
    }
  });

  it('a signer without the pilot role is never answered, even with a good jti (no signing oracle)', async () => {
    const admin = await w.pki.issue('admin-1', ['admin']);
    const err = await rejection(verifyCommand(await sign(commandClaims('admin-1'), admin), options()));
    expect(err.code).toBe('ERR_ROLE_FORBIDDEN');
    expect(err.message).toBe('admin-1 does not hold the pilot role');
    expect(err.details).toEqual({ signer: 'admin-1', required: 'pilot', attributable: false });
  });

  it('a token that does not verify carries only attributable: false', async () => {
    const token = await sign(commandClaims());
    const tampered = `${token.slice(0, -4)}AAAA`;
    const err = await rejection(verifyCommand(tampered, options()));
    expect(err.code).toBe('ERR_SIGNATURE_INVALID');
    expect(err.details).toEqual({ attributable: false });
    expect(isAttributable(err)).toBe(false);
  });

  it('a coded failure of the replay store keeps its code and words and is attributed (the pilot hears of it)', async () => {
    const broken = { checkAndRecord: () => Promise.reject(new HelmlinkError('ERR_REPLAY_STORE', 'db gone')) };
    const claims = commandClaims();
    const err = await rejection(verifyCommand(await sign(claims), options({ replay: broken })));
    expect(err.code).toBe('ERR_REPLAY_STORE');
    expect(err.message).toBe('db gone');
    expect(err.details).toEqual({ attributable: true, signer: 'pilot-1', jti: claims.jti });
  });
});

describe('verifyCommand: options and result', () => {
  it('the replay store and the audience are required (TypeError)', async () => {
    const token = await sign(commandClaims());
    for (const replay of [undefined, {}, { checkAndRecord: 'yes' }])
      await expect(verifyCommand(token, options({ replay: replay as never }))).rejects.toThrow(
        new TypeError('options.replay is required'),
      );
    for (const audience of [undefined, '', 7])
      await expect(verifyCommand(token, options({ audience: audience as never }))).rejects.toThrow(
        new TypeError('options.audience is required'),
      );
    await expect(verifyCommand(token, options({ trust: {} as never }))).rejects.toThrow(
      new TypeError('options.trust is required'),
    );
    await expect(verifyCommand(token, { ...options(), clock: 'now' as never })).rejects.toThrow(
      new TypeError('options.clock is required'),
    );
  });

  it('the resulting state only when a catalog was given; the jti recorded under the signer until exp + tolerance', async () => {
    const claims = commandClaims();
    const replay = new MemoryReplayStore();
    const plain = await verifyCommand(await sign(claims), options({ replay }));
    expect('state' in plain).toBe(false);
    expect(replay.toJSON().entries).toEqual({
      'pilot-1': { [claims.jti as string]: (claims.exp as number) + 30 },
    });
    const withCatalog = await verifyCommand(await sign(commandClaims()), options({ catalog: CATALOG }));
    expect(withCatalog.state).toEqual({ on: ALL.slice(0, 4), off: ALL.slice(4) });
  });
});

describe('openEnvelope: the signature bytes and the payload', () => {
  const acceptAll = () => true;

  it('a signature of the wrong length for its alg never reaches the verifier, even one that accepts anything', async () => {
    // Fault: a length rule dropped leaves the decision to a pluggable verifier (a truncated ES256 signature).
    const token = await sign(commandClaims());
    const [h, p, sig] = token.split('.') as [string, string, string];
    const short = Buffer.from(sig, 'base64url').subarray(0, 63).toString('base64url');
    const trust = w.trust({ signatureVerifier: acceptAll });
    for (const bad of [`${h}.${p}.${short}`, `${h}.${p}.`]) {
      const err = await rejection(verifyCommand(bad, options({ trust })));
      expect(err.code).toBe('ERR_SIGNATURE_INVALID');
      expect(err.message).toBe('the token signature does not verify');
    }
  });

  it('a signed payload that is not JSON is ERR_TOKEN_MALFORMED naming the payload', async () => {
    const token = await new CompactSign(new TextEncoder().encode('not json'))
      .setProtectedHeader({ alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(w.pilot) })
      .sign(w.pilot.keys.privateKey);
    const err = await rejection(verifyCommand(token, options()));
    expect(err.code).toBe('ERR_TOKEN_MALFORMED');
    expect(err.message).toBe('the token payload is not base64url JSON');
  });

  it('a caller bug (a token that is no string) stays a TypeError, not a coded refusal', async () => {
    await expect(verifyCommand(42 as never, options())).rejects.toThrow(
      new TypeError('token must be a string or Uint8Array'),
    );
  });

  it('an uncoded failure of the replay store is ERR_REPLAY_STORE with the failure as cause', async () => {
    const failure = new Error('disk full');
    const broken = { checkAndRecord: () => Promise.reject(failure) };
    const err = await rejection(verifyCommand(await sign(commandClaims()), options({ replay: broken })));
    expect(err.code).toBe('ERR_REPLAY_STORE');
    expect(err.message).toBe('the replay store failed: disk full');
    expect(err.cause).toBe(failure);
  });
});
