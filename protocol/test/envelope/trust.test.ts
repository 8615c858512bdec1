/**
 * The Trust a verifier works with (trust.ts), directly: its options refused as caller bugs, its caches (headers of
 * authentic tokens only, bounded; validated signers per chain and alg; none when caching is off), key import per
 * alg and the refusals in words. Certificates come from the code-generated test PKI.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrust, importVerifyKey, TYP_ACK, TYP_COMMAND, type TrustOptions } from '../../src/envelope';
import { bytesToBase64 } from '../../src/pki/pem';
import { createWorld, NOW, rejection, type World, x5cOf } from './fixtures';

let w: World;
beforeAll(async () => {
  w = await createWorld();
});

const base = (): TrustOptions => ({ trustAnchors: [w.pki.root.certificate], revocation: { mode: 'off' } });
const segment = (header: Record<string, unknown>) =>
  Buffer.from(JSON.stringify(header)).toString('base64url');

describe('createTrust: options that would silently weaken verification are caller bugs', () => {
  it('needs at least one anchor, a revocation policy, and functions where functions belong', () => {
    const bad: [Partial<TrustOptions>, string][] = [
      [{ trustAnchors: [] }, 'at least one trust anchor is required'],
      [{ trustAnchors: w.pki.root.certificate as never }, 'at least one trust anchor is required'],
      [{ revocation: undefined as never }, 'a revocation policy is required'],
      [{ revocation: { mode: 'none' as never } }, 'a revocation policy is required'],
      [{ validatePath: 'yes' as never }, 'validatePath must be a function'],
      [{ signatureVerifier: true as never }, 'signatureVerifier must be a function'],
    ];
    for (const [over, message] of bad)
      expect(() => createTrust({ ...base(), ...over })).toThrow(new TypeError(message));
  });
});

describe('Trust caches', () => {
  it('a signer is validated once per chain and alg, and not at all from a cache when caching is off', async () => {
    const trust = createTrust({ ...base(), intermediates: [w.pki.issuing.certificate] });
    const x5c = x5cOf(w.pilot);
    const first = await trust.signer(x5c, 'ES256', NOW.getTime());
    expect(await trust.signer(x5c, 'ES256', NOW.getTime())).toBe(first);
    expect(trust.cachedSigners).toBe(1);
    trust.clear();
    expect(trust.cachedSigners).toBe(0);
    const uncached = createTrust({
      ...base(),
      intermediates: [w.pki.issuing.certificate],
      chainCache: false,
    });
    await uncached.signer(x5c, 'ES256', NOW.getTime());
    expect(uncached.cachedSigners).toBe(0);
  });

  it('a remembered header is served without decoding, re-checked for another typ, and the cache is bounded', () => {
    const trust = createTrust(base());
    const header = { alg: 'ES256', typ: TYP_COMMAND, x5c: ['MIIB', 'MIIC'] };
    const seg = segment(header);
    const checked = trust.header(seg, TYP_COMMAND, ['ES256']);
    expect(checked.raw).toEqual(header);
    expect(checked.chainKey).toBe('MIIB.MIIC');
    trust.rememberHeader(seg, checked);
    expect(trust.cachedHeaders).toBe(1);
    const again = trust.header(seg, TYP_COMMAND, ['ES256']);
    expect(again).toEqual({ header: checked.header, chainKey: 'MIIB.MIIC', rulesKey: checked.rulesKey });
    // The same bytes under other rules are checked again: a command header is no ack header.
    expect(() => trust.header(seg, TYP_ACK, ['ES256'])).toThrow(
      `expected typ ${TYP_ACK}, got ${TYP_COMMAND}`,
    );
    expect(() => trust.header(seg, TYP_COMMAND, ['ES384'])).toThrow('algorithm ES256 is not allowed');
    // Another header in between: the remembered one is still found (not only the last one seen).
    // A header other than the last one seen is its own: never served the last one's result.
    expect(trust.header(segment({ ...header, x5c: ['MIID'] }), TYP_COMMAND, ['ES256']).chainKey).toBe('MIID');
    expect(trust.header(seg, TYP_COMMAND, ['ES256']).raw).toBeUndefined();
    for (let i = 0; i < 1030; i++) {
      const s = segment({ ...header, x5c: [`MII${i}`.replace(/\d/gu, 'A')], n: i });
      trust.rememberHeader(s, { header: checked.header, chainKey: 'k', rulesKey: checked.rulesKey, raw: {} });
    }
    expect(trust.cachedHeaders).toBe(1024);
    trust.clear();
    expect(trust.cachedHeaders).toBe(0);
  });

  it('headers are remembered only with caching on and only when decoded here', () => {
    const off = createTrust({ ...base(), chainCache: false });
    const seg = segment({ alg: 'ES256', typ: TYP_COMMAND, x5c: ['MIIB'] });
    off.rememberHeader(seg, off.header(seg, TYP_COMMAND, ['ES256']));
    expect(off.cachedHeaders).toBe(0);
    const on = createTrust(base());
    const { raw: _raw, ...served } = on.header(seg, TYP_COMMAND, ['ES256']);
    on.rememberHeader(seg, served);
    expect(on.cachedHeaders).toBe(0);
  });

  it('an x5t#S256 header has no chain key', () => {
    const trust = createTrust(base());
    const seg = segment({ alg: 'ES256', typ: TYP_ACK, 'x5t#S256': 'A'.repeat(43) });
    expect(trust.header(seg, TYP_ACK, ['ES256']).chainKey).toBe('');
  });
});

describe('Trust.signer and importVerifyKey: refusals in words', () => {
  it('an unparsable x5c certificate is ERR_JOSE_X5C_INVALID with the parser error as cause', async () => {
    const err = await rejection(createTrust(base()).signer(['AAAA'], 'ES256', NOW.getTime()));
    expect(err.code).toBe('ERR_JOSE_X5C_INVALID');
    expect(err.message).toBe('an x5c certificate cannot be parsed');
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('a certificate without a Helmlink identity signs nothing', async () => {
    // The issuing CA's own certificate validates (it is a CA, so use a validator that accepts it) but names no entity.
    const trust = createTrust({
      ...base(),
      validatePath: async (leaf) =>
        ({
          leaf,
          chain: [leaf],
          leafFingerprint: 'f',
          validFrom: new Date(0),
          validUntil: new Date(NOW.getTime() + 1000),
        }) as never,
    });
    const x5c = [bytesToBase64(new Uint8Array(w.pki.issuing.certificate.rawData))];
    const err = await rejection(trust.signer(x5c, 'ES256', NOW.getTime()));
    expect(err.code).toBe('ERR_CERT_PROFILE');
    expect(err.message).toBe('the signer certificate carries no Helmlink identity');
  });

  it('ES384 keys import for ES384 only, not extractable; a mismatched alg is refused naming it, with the cause', async () => {
    const p384 = await w.pki.issue('pilot-384', ['pilot'], { alg: 'ES384' });
    const key = await importVerifyKey(p384.certificate, 'ES384');
    expect(key.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-384' });
    expect(key.extractable).toBe(false);
    const err = await rejection(importVerifyKey(p384.certificate, 'ES256'));
    expect(err.code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(err.message).toBe("algorithm ES256 does not match the signer's key");
    expect(err.cause).toBeDefined();
  });
});
