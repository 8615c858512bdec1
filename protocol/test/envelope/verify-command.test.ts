import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { base64url, CompactSign, compactVerify } from 'jose';
import { assertAlgorithms } from '../../src/envelope/header';
import {
  attributionOf,
  createSigner,
  importVerifyKey,
  isAttributable,
  signCommand,
  TYP_ACK,
  TYP_COMMAND,
  verifyCommand,
  type VerifyCommandOptions,
} from '../../src/envelope';
import * as x509 from '@peculiar/x509';
import { isHelmlinkError } from '../../src/errors';
import { MemoryReplayStore } from '../../src/replay';
import { FileReplayStore } from '../../src/node/replay-file';
import { createSubordinateCaCertificate, issueEndEntityCertificate } from '../../src/pki/build';
import { CrlStore } from '../../src/pki/crl-store';
import { certificateToPem } from '../../src/pki/pem';
import { createTestPki, generateTestKeyPair } from '../../src/testing/pki';
import {
  ALL,
  assemble,
  CATALOG,
  clock,
  CMD,
  commandClaims,
  createWorld,
  NOW,
  NOW_S,
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

function options(extra: Partial<VerifyCommandOptions> = {}): VerifyCommandOptions {
  return { trust: w.trust(), clock, audience: VESSEL, replay: new MemoryReplayStore(), ...extra };
}

const sign = (claims = commandClaims(), header: Record<string, unknown> = {}) =>
  rawSign(
    w.pilot.keys.privateKey,
    { alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(w.pilot), ...header },
    claims,
  );

describe('verifyCommand: acceptance', () => {
  it('accepts a command signed by a pilot for this vessel and returns its claims and signer', async () => {
    const { token } = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
    const verified = await verifyCommand(token, options({ catalog: CATALOG }));
    expect(verified.claims).toMatchObject({
      iss: 'pilot-1',
      aud: VESSEL,
      iat: NOW_S,
      nbf: NOW_S,
      exp: NOW_S + 30,
      cmd: CMD,
    });
    expect(verified.claims.jti).toMatch(/^[0-9a-f-]{36}$/u);
    expect(verified.header).toMatchObject({ alg: 'ES256', typ: TYP_COMMAND });
    // Only the signer certificate travels: the verifier holds the issuing CA.
    expect(verified.header.x5c).toEqual([x5cOf(w.pilot)[0]]);
    expect(verified.signer).toMatchObject({ entityId: 'pilot-1', roles: ['pilot'] });
    expect(verified.state).toEqual({ on: ALL.slice(0, 4), off: ALL.slice(4) });
    // Interop: an independent JWS implementation (jose's compactVerify) accepts the same token.
    const { protectedHeader } = await compactVerify(
      token,
      await importVerifyKey(w.pilot.certificate, 'ES256'),
      { algorithms: ['ES256'] },
    );
    expect(protectedHeader.typ).toBe(TYP_COMMAND);
  });

  it('accepts EdDSA and PS256 (RSA 3072) signers when the allow-list names them', async () => {
    for (const alg of ['EdDSA', 'PS256'] as const) {
      const pilot = await w.pki.issue(`pilot-${alg}`, ['pilot'], { alg });
      const signer = createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain });
      expect(signer.alg).toBe(alg);
      const { token } = await signCommand(signer, { audience: VESSEL, cmd: CMD as never, clock });
      await expect(verifyCommand(token, options({ algorithms: ['ES256', alg] }))).resolves.toMatchObject({
        signer: { entityId: `pilot-${alg}` },
      });
      // The default allow-list is ES256 only.
      expect((await rejection(verifyCommand(token, options()))).code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    }
  });

  it('uses configured intermediates when x5c carries only the signer certificate', async () => {
    const leafOnly = createSigner({ privateKey: w.pilot.keys.privateKey, chain: [w.pilot.certificate] });
    expect(leafOnly.x5c).toHaveLength(1);
    const { token } = await signCommand(leafOnly, { audience: VESSEL, cmd: CMD as never, clock });
    const without = w.trust({ intermediates: [] });
    expect((await rejection(verifyCommand(token, options({ trust: without })))).code).toBe(
      'ERR_CHAIN_UNTRUSTED',
    );
    const trust = w.trust({ intermediates: [w.pki.issuing.certificate] });
    await expect(verifyCommand(token, options({ trust }))).resolves.toMatchObject({
      signer: { entityId: 'pilot-1' },
    });
  });

  it('puts only the signer certificate into x5c: never the issuing CA, never a self-signed root', () => {
    const signer = createSigner({
      privateKey: w.pilot.keys.privateKey,
      chain: [...w.pilot.chain, w.pki.root.certificate],
    });
    expect(x5cOf(w.pilot)).toHaveLength(2);
    expect(signer.x5c).toEqual([x5cOf(w.pilot)[0]]);
  });

  it('accepts a token as a Uint8Array (an MQTT payload)', async () => {
    const { token } = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
    await expect(verifyCommand(new TextEncoder().encode(token), options())).resolves.toBeTruthy();
  });
});

describe('verifyCommand: one rejection per code', () => {
  it('ERR_TOKEN_TOO_LARGE: checked before parsing', async () => {
    const err = await rejection(verifyCommand('a'.repeat(16 * 1024 + 1), options()));
    expect(err.code).toBe('ERR_TOKEN_TOO_LARGE');
    const big = await sign(commandClaims('pilot-1', { pad: 'x'.repeat(17_000) }));
    expect((await rejection(verifyCommand(big, options()))).code).toBe('ERR_TOKEN_TOO_LARGE');
  });

  it('ERR_TOKEN_MALFORMED: not a compact JWS, header not JSON', async () => {
    expect((await rejection(verifyCommand('not a token', options()))).code).toBe('ERR_TOKEN_MALFORMED');
    expect((await rejection(verifyCommand('bm90LWpzb24.e30.c2ln', options()))).code).toBe(
      'ERR_TOKEN_MALFORMED',
    );
  });

  it('decodes UTF-8 payloads; invalid UTF-8 is ERR_TOKEN_MALFORMED', async () => {
    const utf8 = await sign(commandClaims('pilot-1', { note: 'Kapitän ⚓' }));
    const err = await rejection(verifyCommand(utf8, options()));
    expect([err.code, err.details?.claim]).toEqual(['ERR_CLAIM_INVALID', 'note']);
    const header = { alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(w.pilot) };
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"iss":"'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('"}'),
    ]);
    const bad = await new CompactSign(bytes).setProtectedHeader(header).sign(w.pilot.keys.privateKey);
    expect((await rejection(verifyCommand(bad, options()))).code).toBe('ERR_TOKEN_MALFORMED');
  });

  it('ERR_JOSE_ALG_NOT_ALLOWED: alg none', async () => {
    const token = assemble({ alg: 'none', typ: TYP_COMMAND, x5c: x5cOf(w.pilot) }, commandClaims());
    expect((await rejection(verifyCommand(token, options()))).code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('ERR_JOSE_ALG_NOT_ALLOWED: HS256 signed with the signer public key (algorithm confusion)', async () => {
    const publicPem = new TextEncoder().encode(certificateToPem(w.pilot.certificate));
    const hmacKey = await globalThis.crypto.subtle.importKey(
      'raw',
      publicPem,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const token = await rawSign(
      hmacKey,
      { alg: 'HS256', typ: TYP_COMMAND, x5c: x5cOf(w.pilot) },
      commandClaims(),
    );
    expect((await rejection(verifyCommand(token, options()))).code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    // And HMAC can never be put on the allow-list.
    expect(() => assertAlgorithms(['HS256'])).toThrow(TypeError);
    expect(() => assertAlgorithms(['none'])).toThrow(TypeError);
  });

  it('ERR_JOSE_ALG_NOT_ALLOWED: alg does not match the signer key type', async () => {
    const token = await sign(commandClaims(), { alg: 'EdDSA' }).catch(() => undefined);
    expect(token).toBeUndefined(); // jose refuses to sign EdDSA with a P-256 key, so craft it:
    const es = await sign();
    const [, payload, sig] = es.split('.');
    const header = base64url.encode(
      new TextEncoder().encode(JSON.stringify({ alg: 'EdDSA', typ: TYP_COMMAND, x5c: x5cOf(w.pilot) })),
    );
    const err = await rejection(
      verifyCommand(`${header}.${payload}.${sig}`, options({ algorithms: ['ES256', 'EdDSA'] })),
    );
    expect(err.code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('ERR_JOSE_ALG_NOT_ALLOWED: PS256 with an RSA key under 3072 bits', async () => {
    const keys = (await globalThis.crypto.subtle.generateKey(
      { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const certificate = await issueEndEntityCertificate({
      identity: { entityId: 'pilot-rsa2048', roles: ['pilot'] },
      publicKey: keys.publicKey,
      issuer: w.pki.issuing,
      notBefore: new Date(NOW.getTime() - 86_400_000),
      notAfter: new Date(NOW.getTime() + 86_400_000),
    });
    const signer = createSigner({
      privateKey: keys.privateKey,
      chain: [certificate, w.pki.issuing.certificate],
    });
    const { token } = await signCommand(signer, { audience: VESSEL, cmd: CMD as never, clock });
    const err = await rejection(verifyCommand(token, options({ algorithms: ['PS256'] })));
    expect(err.code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(err.message).toContain('3072');
  });

  it('ERR_SIGNATURE_INVALID: tampered payload', async () => {
    const token = await sign();
    const [h, , s] = token.split('.');
    const tampered = base64url.encode(
      new TextEncoder().encode(
        JSON.stringify(commandClaims('pilot-1', { cmd: { ...CMD, on: ALL, off: [] } })),
      ),
    );
    expect((await rejection(verifyCommand(`${h}.${tampered}.${s}`, options()))).code).toBe(
      'ERR_SIGNATURE_INVALID',
    );
  });

  it('ERR_SIGNATURE_INVALID: tampered header (same parameters, other bytes)', async () => {
    const token = await sign();
    const [, p, s] = token.split('.');
    const header = { x5c: x5cOf(w.pilot), typ: TYP_COMMAND, alg: 'ES256' };
    const h = base64url.encode(new TextEncoder().encode(JSON.stringify(header)));
    expect((await rejection(verifyCommand(`${h}.${p}.${s}`, options()))).code).toBe('ERR_SIGNATURE_INVALID');
  });

  it('ERR_SIGNATURE_INVALID: signed by another key under the pilot certificate', async () => {
    const other = await generateTestKeyPair('ES256');
    const token = await rawSign(
      other.privateKey,
      { alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(w.pilot) },
      commandClaims(),
    );
    const err = await rejection(verifyCommand(token, options()));
    expect(err.code).toBe('ERR_SIGNATURE_INVALID');
    expect(isAttributable(err)).toBe(false);
  });

  it('ERR_JOSE_TYP_INVALID: missing, JWT, and an ack presented as a command', async () => {
    for (const typ of [undefined, 'JWT', TYP_ACK, 'helmlink-state+jwt']) {
      const token = await sign(commandClaims(), { typ });
      expect((await rejection(verifyCommand(token, options()))).code).toBe('ERR_JOSE_TYP_INVALID');
    }
    // RFC 7515: typ is case-insensitive and may carry application/.
    await expect(
      verifyCommand(await sign(commandClaims(), { typ: 'application/Helmlink-CMD+JWT' }), options()),
    ).resolves.toBeTruthy();
  });

  it('ERR_JOSE_TYP_INVALID: typ is compared ASCII case-insensitively only (U+212A KELVIN SIGN is not k)', async () => {
    // 'K'.toLowerCase() === 'k': a Unicode case fold would take this for helmlink-cmd+jwt.
    for (const typ of [
      'helmlin\u212A-cmd+jwt',
      'application/helmlin\u212A-cmd+jwt',
      'helmlink-cmd+jwt\u0130',
    ]) {
      const err = await rejection(verifyCommand(await sign(commandClaims(), { typ }), options()));
      expect(err.code, typ).toBe('ERR_JOSE_TYP_INVALID');
    }
    await expect(
      verifyCommand(await sign(commandClaims(), { typ: 'HELMLINK-CMD+JWT' }), options()),
    ).resolves.toBeTruthy();
  });

  it('ERR_TOKEN_MALFORMED: a second spelling of a signed token (non-zero trailing base64url bits)', async () => {
    const token = await sign();
    await expect(verifyCommand(token, options())).resolves.toBeTruthy();
    const [h, p, s] = token.split('.') as [string, string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The same bytes, spelt with the unused low bits of the last character set.
    const respell = (segment: string): string => {
      const unused = segment.length % 4 === 2 ? 0x0f : 0x03;
      const last = alphabet.indexOf(segment.at(-1)!);
      return segment.slice(0, -1) + alphabet[last | unused];
    };
    expect(s.length % 4).not.toBe(0);
    const respelled = [`${h}.${p}.${respell(s)}`];
    if (p.length % 4) respelled.push(`${h}.${respell(p)}.${s}`);
    if (h.length % 4) respelled.push(`${respell(h)}.${p}.${s}`);
    for (const other of respelled) {
      expect(base64url.decode(other.split('.')[2]!)).toEqual(base64url.decode(s));
      const err = await rejection(verifyCommand(other, options()));
      expect(err.code).toBe('ERR_TOKEN_MALFORMED');
      expect(err.message).toContain('canonical base64url');
    }
  });

  it('ERR_TOKEN_MALFORMED: only the exact compact serialization, nothing around it (an ack names its exact bytes)', async () => {
    const token = await sign();
    for (const other of [`${token}\n`, `${token}\r\n`, ` ${token}`, `${token} `, `\n${token}`]) {
      expect((await rejection(verifyCommand(other, options()))).code).toBe('ERR_TOKEN_MALFORMED');
      const bytes = new TextEncoder().encode(other);
      expect((await rejection(verifyCommand(bytes, options()))).code).toBe('ERR_TOKEN_MALFORMED');
    }
  });

  it('ERR_JOSE_HEADER_FORBIDDEN: jwk, jku, x5u, kid, x5t and unknown parameters', async () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' };
    for (const extra of [
      { jwk },
      { jku: 'https://evil.example/jwks' },
      { x5u: 'https://evil.example/c.pem' },
      { kid: 'pilot-1' },
      { x5t: 'AA' },
      { cty: 'JWT' },
    ]) {
      const token = await sign(commandClaims(), extra);
      const err = await rejection(verifyCommand(token, options()));
      expect(err.code, JSON.stringify(extra)).toBe('ERR_JOSE_HEADER_FORBIDDEN');
    }
  });

  it('ERR_JOSE_CRIT_UNSUPPORTED: any critical header extension', async () => {
    const token = assemble(
      { alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(w.pilot), crit: ['exp'], exp: 1 },
      commandClaims(),
      'AAAA',
    );
    expect((await rejection(verifyCommand(token, options()))).code).toBe('ERR_JOSE_CRIT_UNSUPPORTED');
  });

  it('ERR_JOSE_X5C_INVALID: missing, empty, not base64, not a certificate, too long', async () => {
    const der = x5cOf(w.pilot);
    for (const x5c of [undefined, [], ['***'], ['AAAA'], [der[0], der[1], der[1], der[1], der[1]]]) {
      const token = assemble(
        { alg: 'ES256', typ: TYP_COMMAND, ...(x5c ? { x5c } : {}) },
        commandClaims(),
        'AAAA',
      );
      expect((await rejection(verifyCommand(token, options()))).code, JSON.stringify(x5c)?.slice(0, 20)).toBe(
        'ERR_JOSE_X5C_INVALID',
      );
    }
  });

  it('ERR_CHAIN_UNTRUSTED: an untrusted look-alike root (same names), also when shipped inside x5c', async () => {
    const evil = await createTestPki({ now: NOW });
    const fake = await evil.issue('pilot-1', ['pilot']);
    const signer = createSigner({ privateKey: fake.keys.privateKey, chain: fake.chain });
    const { token } = await signCommand(signer, { audience: VESSEL, cmd: CMD as never, clock });
    const err = await rejection(verifyCommand(token, options()));
    expect(err.code).toBe('ERR_CHAIN_UNTRUSTED');
    expect(isAttributable(err)).toBe(false);
    const withRoot = await rawSign(
      fake.keys.privateKey,
      {
        alg: 'ES256',
        typ: TYP_COMMAND,
        x5c: [...x5cOf(fake), ...x5cOf({ ...fake, chain: [evil.root.certificate] })],
      },
      commandClaims(),
    );
    expect((await rejection(verifyCommand(withRoot, options()))).code).toBe('ERR_CHAIN_UNTRUSTED');
  });

  it('ERR_CHAIN_EXPIRED: an expired intermediate', async () => {
    const keys = await generateTestKeyPair('ES256');
    const oldCa = await createSubordinateCaCertificate({
      name: { cn: 'Old Issuing CA', o: w.pki.organization },
      publicKey: keys.publicKey,
      issuer: w.pki.root,
      notBefore: new Date(NOW.getTime() - 400 * 86_400_000),
      notAfter: new Date(NOW.getTime() - 86_400_000),
    });
    const pilot = await w.pki.issue('pilot-old', ['pilot'], {
      issuer: { certificate: oldCa, privateKey: keys.privateKey },
      notBefore: new Date(NOW.getTime() - 300 * 86_400_000),
      notAfter: new Date(NOW.getTime() + 86_400_000),
    });
    const { token } = await signCommand(
      createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain }),
      { audience: VESSEL, cmd: CMD as never, clock },
    );
    const trust = w.trust({ intermediates: [w.pki.issuing.certificate, oldCa] });
    expect((await rejection(verifyCommand(token, options({ trust })))).code).toBe('ERR_CHAIN_EXPIRED');
  });

  it('ERR_CHAIN_REVOKED: a revoked intermediate', async () => {
    const rootCrl = await w.pki.rootCrl([
      {
        serial: w.pki.issuing.certificate.serialNumber,
        revokedAt: new Date(NOW.getTime() - 60_000),
        reason: 2,
      },
    ]);
    const leafCrl = await w.pki.issuingCrl();
    const { token } = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
    const trust = w.trust({ crls: [rootCrl, leafCrl], revocation: { mode: 'chain' } });
    expect((await rejection(verifyCommand(token, options({ trust })))).code).toBe('ERR_CHAIN_REVOKED');
  });

  it('ERR_CHAIN_REVOKED: signer revoked or on hold; released from hold it passes again', async () => {
    const pilot = await w.pki.issue('pilot-hold', ['pilot']);
    const signer = createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain });
    const entry = { serial: pilot.certificate.serialNumber, revokedAt: new Date(NOW.getTime() - 60_000) };
    // A CrlStore feeds the trust: each accepted (newer) CRL bumps the generation and invalidates cached paths.
    const store = new CrlStore();
    const trust = w.trust({ crls: store, revocation: { mode: 'leaf' } });
    const accept = async (entries: Parameters<typeof w.pki.issuingCrl>[0]) =>
      store.accept(await w.pki.issuingCrl(entries), w.pki.issuing.certificate);
    const next = async () =>
      (await signCommand(signer, { audience: VESSEL, cmd: CMD as never, clock })).token;
    await accept([{ ...entry, reason: 1 }]);
    expect((await rejection(verifyCommand(await next(), options({ trust })))).code).toBe('ERR_CHAIN_REVOKED');
    await accept([{ ...entry, reason: 6 }]); // certificateHold
    expect((await rejection(verifyCommand(await next(), options({ trust })))).code).toBe('ERR_CHAIN_REVOKED');
    await accept([]); // released from hold
    await expect(verifyCommand(await next(), options({ trust }))).resolves.toMatchObject({
      signer: { entityId: 'pilot-hold' },
    });
    expect(trust.cachedSigners).toBe(1);
    // Revoked after being cached as good: the next CRL applies at once.
    await accept([{ ...entry, reason: 4 }]);
    expect((await rejection(verifyCommand(await next(), options({ trust })))).code).toBe('ERR_CHAIN_REVOKED');
  });

  it('ERR_CRL_MISSING: revocation required but no CRL for the signer', async () => {
    const { token } = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
    const trust = w.trust({ revocation: { mode: 'leaf' } });
    expect((await rejection(verifyCommand(token, options({ trust })))).code).toBe('ERR_CRL_MISSING');
  });

  it('ERR_CRL_STALE: a cached good path expires with its CRL (nextUpdate + grace), then fails closed', async () => {
    const crl = await w.pki.issuingCrl([], {
      thisUpdate: new Date(NOW.getTime() - 3_600_000),
      nextUpdate: new Date(NOW.getTime() + 60_000),
    });
    const trust = w.trust({ crls: [crl], revocation: { mode: 'leaf', staleGraceSeconds: 60 } });
    await verifyCommand(
      (await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock })).token,
      options({ trust }),
    );
    const inGrace = () => NOW.getTime() + 90_000;
    await expect(
      verifyCommand(
        (await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock: inGrace })).token,
        options({ trust, clock: inGrace }),
      ),
    ).resolves.toBeTruthy();
    const stale = () => NOW.getTime() + 121_000;
    const { token } = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock: stale });
    const err = await rejection(verifyCommand(token, options({ trust, clock: stale })));
    expect(err.code).toBe('ERR_CRL_STALE');
    expect(isAttributable(err)).toBe(false);
  });

  it('ERR_CERT_PROFILE: a valid certificate without a Helmlink identity (no role URI)', async () => {
    const keys = await generateTestKeyPair('ES256');
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: '0a1b2c3d',
      subject: 'CN=pilot-anon',
      issuer: w.pki.issuing.certificate.subject,
      notBefore: new Date(NOW.getTime() - 86_400_000),
      notAfter: new Date(NOW.getTime() + 86_400_000),
      publicKey: keys.publicKey,
      signingKey: w.pki.issuing.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.2'], false),
        await x509.AuthorityKeyIdentifierExtension.create(w.pki.issuing.certificate, false),
      ],
    });
    const token = await rawSign(
      keys.privateKey,
      {
        alg: 'ES256',
        typ: TYP_COMMAND,
        x5c: x5cOf({ ...w.pilot, chain: [certificate, w.pki.issuing.certificate] }),
      },
      commandClaims('pilot-anon'),
    );
    const err = await rejection(verifyCommand(token, options()));
    expect(err.code).toBe('ERR_CERT_PROFILE');
    expect(isAttributable(err)).toBe(false);
  });

  it('ERR_ROLE_FORBIDDEN: a vessel (not a pilot) signs a command; not attributable', async () => {
    const token = await rawSign(
      w.vessel.keys.privateKey,
      { alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(w.vessel) },
      commandClaims(VESSEL),
    );
    const err = await rejection(verifyCommand(token, options()));
    expect(err.code).toBe('ERR_ROLE_FORBIDDEN');
    expect(isAttributable(err)).toBe(false);
  });

  it('a jti that is not a string (an array holding a UUID) is refused and not attributable', async () => {
    // Fault: a jti tested by the UUID pattern after coercion to a string would name an array as the token to answer.
    const err = await rejection(
      verifyCommand(
        await sign(commandClaims('pilot-1', { jti: [globalThis.crypto.randomUUID()] })),
        options(),
      ),
    );
    expect(err.code).toBe('ERR_CLAIM_INVALID');
    expect(err.message).toBe('the jti claim must be a UUID');
    expect(isAttributable(err)).toBe(false);
  });

  it('ERR_ISS_MISMATCH: iss is not the certificate identity', async () => {
    const err = await rejection(verifyCommand(await sign(commandClaims('pilot-2')), options()));
    expect(err.code).toBe('ERR_ISS_MISMATCH');
  });

  it('ERR_AUD_MISMATCH: a command for another vessel (attributable)', async () => {
    const token = await sign(commandClaims('pilot-1', { aud: 'vessel-2' }));
    const err = await rejection(verifyCommand(token, options()));
    expect(err.code).toBe('ERR_AUD_MISMATCH');
    expect(attributionOf(err)).toMatchObject({ code: 'ERR_AUD_MISMATCH', signer: 'pilot-1' });
  });

  it('ERR_CMD_EXPIRED: past exp + tolerance', async () => {
    const token = await sign(
      commandClaims('pilot-1', { iat: NOW_S - 100, nbf: NOW_S - 100, exp: NOW_S - 31 }),
    );
    expect((await rejection(verifyCommand(token, options()))).code).toBe('ERR_CMD_EXPIRED');
    // Within the tolerance it still passes.
    const late = await sign(commandClaims('pilot-1', { iat: NOW_S - 50, nbf: NOW_S - 50, exp: NOW_S - 29 }));
    await expect(verifyCommand(late, options())).resolves.toBeTruthy();
    expect((await rejection(verifyCommand(late, options({ clockToleranceSeconds: 0 })))).code).toBe(
      'ERR_CMD_EXPIRED',
    );
  });

  it('ERR_CMD_NOT_YET_VALID: nbf beyond now + tolerance', async () => {
    const token = await sign(commandClaims('pilot-1', { nbf: NOW_S + 31, exp: NOW_S + 60 }));
    expect((await rejection(verifyCommand(token, options()))).code).toBe('ERR_CMD_NOT_YET_VALID');
  });

  it('ERR_CMD_IAT_IN_FUTURE: iat beyond now + tolerance', async () => {
    const token = await sign(commandClaims('pilot-1', { iat: NOW_S + 60, exp: NOW_S + 90 }));
    expect((await rejection(verifyCommand(token, options()))).code).toBe('ERR_CMD_IAT_IN_FUTURE');
  });

  it('ERR_CMD_LIFETIME_TOO_LONG: exp more than 5 minutes after iat', async () => {
    const token = await sign(commandClaims('pilot-1', { exp: NOW_S + 301 }));
    expect((await rejection(verifyCommand(token, options()))).code).toBe('ERR_CMD_LIFETIME_TOO_LONG');
    const short = await sign(commandClaims('pilot-1', { exp: NOW_S + 60 }));
    expect((await rejection(verifyCommand(short, options({ maxLifetimeSeconds: 30 })))).code).toBe(
      'ERR_CMD_LIFETIME_TOO_LONG',
    );
  });

  it('ERR_CLAIM_MISSING and ERR_CLAIM_INVALID', async () => {
    const { jti: _jti, ...noJti } = commandClaims();
    expect((await rejection(verifyCommand(await sign(noJti), options()))).code).toBe('ERR_CLAIM_MISSING');
    expect(
      (await rejection(verifyCommand(await sign(commandClaims('pilot-1', { jti: 'not-a-uuid' })), options())))
        .code,
    ).toBe('ERR_CLAIM_INVALID');
    expect(
      (await rejection(verifyCommand(await sign(commandClaims('pilot-1', { aud: [VESSEL] })), options())))
        .code,
    ).toBe('ERR_CLAIM_INVALID');
    expect(
      (await rejection(verifyCommand(await sign(commandClaims('pilot-1', { in_reply_to: 'x' })), options())))
        .code,
    ).toBe('ERR_CLAIM_INVALID');
  });

  it('ERR_CMD_INVALID, ERR_CMD_VERSION_UNSUPPORTED, ERR_CMD_TYPE_UNSUPPORTED: bad cmd (attributable)', async () => {
    for (const [code, cmd] of [
      ['ERR_CMD_INVALID', { ...CMD, on: 'all' }],
      ['ERR_CMD_VERSION_UNSUPPORTED', { ...CMD, v: 2 }],
      ['ERR_CMD_TYPE_UNSUPPORTED', { ...CMD, type: 'rudder.set' }],
      ['ERR_STREAM_ADDRESS_INVALID', { ...CMD, on: ['10.1.1.1:60001'] }],
    ] as const) {
      const claims = commandClaims('pilot-1', { cmd });
      const err = await rejection(verifyCommand(await sign(claims), options()));
      expect(err.code).toBe(code);
      expect(attributionOf(err)).toEqual({ code, signer: 'pilot-1', jti: claims.jti });
    }
  });

  it('catalog codes: ERR_STREAM_UNKNOWN, _DUPLICATE, _CONFLICT, _MISSING', async () => {
    const [a, ...rest] = ALL as [string, ...string[]];
    for (const [code, on, off] of [
      ['ERR_STREAM_UNKNOWN', ['239.192.9.9:60009'], ALL],
      ['ERR_STREAM_DUPLICATE', [a, a], rest],
      ['ERR_STREAM_CONFLICT', [a], ALL],
      ['ERR_STREAM_MISSING', [a], rest.slice(1)],
    ] as const) {
      const token = await sign(commandClaims('pilot-1', { cmd: { v: 1, type: 'streams.set', on, off } }));
      const replay = new MemoryReplayStore();
      const err = await rejection(verifyCommand(token, options({ catalog: CATALOG, replay })));
      expect(err.code).toBe(code);
      expect(isAttributable(err)).toBe(true);
      expect(replay.size).toBe(0);
    }
  });
});

describe('verifyCommand: replay', () => {
  it('ERR_REPLAY: the same token twice (attributable, so the vessel can re-send its ack)', async () => {
    const replay = new MemoryReplayStore();
    const { token, claims } = await signCommand(w.pilotSigner, {
      audience: VESSEL,
      cmd: CMD as never,
      clock,
    });
    await verifyCommand(token, options({ replay }));
    const err = await rejection(verifyCommand(token, options({ replay })));
    expect(err.code).toBe('ERR_REPLAY');
    expect(attributionOf(err)).toEqual({ code: 'ERR_REPLAY', signer: 'pilot-1', jti: claims.jti });
  });

  it('ERR_REPLAY across a restart with the file store', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'helmlink-env-')), 'replay.json');
    const { token } = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
    const before = FileReplayStore.open(path, NOW_S);
    await verifyCommand(token, options({ replay: before }));
    // "Restart": a new store object (and a fresh trust, as a new process would have) reads the same files.
    const after = FileReplayStore.open(path, NOW_S + 1);
    expect((await rejection(verifyCommand(token, options({ replay: after, trust: w.trust() })))).code).toBe(
      'ERR_REPLAY',
    );
  });

  it('invalid tokens never reach the replay cache', async () => {
    const replay = new MemoryReplayStore();
    const claims = commandClaims('pilot-1', { aud: 'vessel-2' });
    await rejection(verifyCommand(await sign(claims), options({ replay })));
    await rejection(
      verifyCommand(
        assemble({ alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(w.pilot) }, commandClaims(), 'AAAA'),
        options({ replay }),
      ),
    );
    expect(replay.size).toBe(0);
  });

  it('ERR_REPLAY_STORE: a failing store fails closed', async () => {
    const replay = {
      checkAndRecord: () => {
        throw new Error('disk full');
      },
    };
    const { token } = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
    expect((await rejection(verifyCommand(token, options({ replay })))).code).toBe('ERR_REPLAY_STORE');
  });
});

describe('verifyCommand: caching and parameters', () => {
  it('validates a chain once and reuses it while valid', async () => {
    let calls = 0;
    const { validatePath } = await import('../../src/pki/validate');
    const trust = w.trust({ validatePath: (leaf, o) => (calls++, validatePath(leaf, o)) });
    for (let i = 0; i < 3; i++) {
      const { token } = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
      await verifyCommand(token, options({ trust }));
    }
    expect(calls).toBe(1);
    expect(trust.cachedSigners).toBe(1);
  });

  it('remembers headers only of tokens whose signature verified', async () => {
    const trust = w.trust();
    const other = await generateTestKeyPair('ES256');
    const forged = await rawSign(
      other.privateKey,
      { alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(w.pilot) },
      commandClaims(),
    );
    await rejection(verifyCommand(forged, options({ trust })));
    expect(trust.cachedHeaders).toBe(0);
    await verifyCommand(
      (await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock })).token,
      options({ trust }),
    );
    expect(trust.cachedHeaders).toBe(1);
  });

  it('re-validates a cached chain once the time passes the certificate validity', async () => {
    const pilot = await w.pki.issue('pilot-short', ['pilot'], { notAfter: new Date(NOW.getTime() + 60_000) });
    const signer = createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain });
    const trust = w.trust();
    await verifyCommand(
      (await signCommand(signer, { audience: VESSEL, cmd: CMD as never, clock })).token,
      options({ trust }),
    );
    const later = () => NOW.getTime() + 120_000;
    const { token } = await signCommand(signer, { audience: VESSEL, cmd: CMD as never, clock: later });
    expect((await rejection(verifyCommand(token, options({ trust, clock: later })))).code).toBe(
      'ERR_CHAIN_EXPIRED',
    );
  });

  it('verifies interleaved tokens correctly (the signing-input buffer is reused between calls)', async () => {
    const trust = w.trust();
    const replay = new MemoryReplayStore();
    const good = await Promise.all(
      Array.from({ length: 8 }, () =>
        signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock }),
      ),
    );
    const forged = await rawSign(
      (await generateTestKeyPair('ES256')).privateKey,
      { alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(w.pilot) },
      commandClaims(),
    );
    await verifyCommand(good[0]!.token, options({ trust, replay }));
    const results = await Promise.allSettled(
      [forged, ...good.slice(1).map((g) => g.token), forged].map((t) =>
        verifyCommand(t, options({ trust, replay })),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      ...good.slice(1).map(() => 'fulfilled'),
      'rejected',
    ]);
  });

  it('refuses missing security parameters with TypeError (caller bugs)', async () => {
    const { token } = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
    await expect(verifyCommand(token, { ...options(), replay: undefined as never })).rejects.toThrow(
      TypeError,
    );
    await expect(verifyCommand(token, { ...options(), clock: undefined as never })).rejects.toThrow(
      TypeError,
    );
    await expect(verifyCommand(token, options({ maxLifetimeSeconds: 3600 }))).rejects.toThrow(TypeError);
    expect(isHelmlinkError(new TypeError('x'))).toBe(false);
  });
});
