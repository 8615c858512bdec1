/**
 * How path validation decides a certificate's revocation status from several CRLs (revocation.ts), each rule
 * against the fault it stands for: a CRL of another scope deciding, the wrong error reported when every CRL
 * fails, a delta CRL of another scope or base applied, an older delta winning, and the validity window a cached
 * path may be reused in. CRLs and certificates are forged at the DER level and signed for real.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCrlDer } from '../../src/pki/crl-parse';
import { validatePath, type ValidatePathOptions } from '../../src/pki/validate';
import {
  type CrlForgeParams,
  DAY,
  ext,
  FORGE_NOW,
  type Forged,
  forgeCrl,
  forgeLeaf,
  forgeRoot,
  KU_BITS,
  newKeys,
  OIDS,
  serialOf,
} from './forge';
import { rejection } from './helpers';

let root: Forged;
let leaf: Forged;
let serial: Uint8Array;
const NOW = FORGE_NOW.getTime();

beforeAll(async () => {
  root = await forgeRoot('Revocation Test Root');
  leaf = await forgeLeaf('leaf', root);
  serial = serialOf(leaf);
});

const opts = (crls: Uint8Array[], graceSeconds = 0): ValidatePathOptions => ({
  trustAnchors: [root.certificate],
  crls: crls.map(parseCrlDer),
  time: FORGE_NOW,
  purpose: 'any',
  revocation: { mode: 'leaf', staleGraceSeconds: graceSeconds },
  leafKeyUsage: [],
});
const make = (p: Omit<CrlForgeParams, 'issuer'> = {}) => forgeCrl({ issuer: root, ...p });
const revoked = (reason = 1) => [{ serial, reason }];
const delta = (base: number, critical = true) => ({
  oid: '2.5.29.27',
  critical,
  value: new Uint8Array([0x02, 0x01, base]),
});
const caOnly = {
  oid: '2.5.29.28',
  critical: true,
  value: ext.issuingDistributionPoint({ onlyCaCerts: true }),
};
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

describe('checkRevocation', () => {
  it('a revoked leaf is ERR_CHAIN_REVOKED naming it, its serial and the reason', async () => {
    expect(
      await rejection(validatePath(leaf.certificate, opts([await make({ entries: revoked(1) })]))),
    ).toMatchObject({
      code: 'ERR_CHAIN_REVOKED',
      message: `"${leaf.certificate.subject}" is revoked (keyCompromise)`,
      details: { serial: hex(serial), reason: 'keyCompromise' },
    });
  });

  it('no CRL in scope: ERR_CRL_MISSING naming the certificate', async () => {
    expect(await rejection(validatePath(leaf.certificate, opts([])))).toMatchObject({
      code: 'ERR_CRL_MISSING',
      message: `no usable CRL covers "${leaf.certificate.subject}"`,
    });
  });

  it('a CRL of another scope (CA certificates only) does not decide, even when it lists the serial', async () => {
    const full = await make({ number: 3 });
    const others = await make({ number: 4, entries: revoked(1), extra: [caOnly] });
    await expect(validatePath(leaf.certificate, opts([others, full]))).resolves.toBeDefined();
    expect((await rejection(validatePath(leaf.certificate, opts([others])))).code).toBe('ERR_CRL_MISSING');
  });

  it('when every CRL fails, the most telling error is reported whatever the order (stale before profile before invalid)', async () => {
    const stale = await make({
      number: 5,
      thisUpdate: new Date(NOW - 2 * DAY),
      nextUpdate: new Date(NOW - DAY),
    });
    const critical = await make({
      number: 6,
      extra: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, value: new Uint8Array([5, 0]) }],
    });
    const future = await make({
      number: 7,
      thisUpdate: new Date(NOW + DAY),
      nextUpdate: new Date(NOW + 2 * DAY),
    });
    for (const order of [
      [stale, critical, future],
      [future, critical, stale],
      [critical, stale, future],
    ])
      expect((await rejection(validatePath(leaf.certificate, opts(order)))).code).toBe('ERR_CRL_STALE');
    for (const order of [
      [critical, future],
      [future, critical],
    ])
      expect((await rejection(validatePath(leaf.certificate, opts(order)))).code).toBe(
        'ERR_CRL_CRITICAL_EXTENSION',
      );
    expect((await rejection(validatePath(leaf.certificate, opts([future])))).code).toBe('ERR_CRL_INVALID');
  });

  it('the newest complete CRL decides: a newer one that releases a hold wins over an older one', async () => {
    const held = await make({ number: 8, entries: revoked(6) });
    const released = await make({ number: 9 });
    await expect(validatePath(leaf.certificate, opts([held, released]))).resolves.toBeDefined();
    await expect(validatePath(leaf.certificate, opts([released, held]))).resolves.toBeDefined();
  });

  it('a delta applies only to its scope and to a base at least as new as its BaseCRLNumber, and only when newer', async () => {
    const base = await make({ number: 10 });
    const revokes = (p: Omit<CrlForgeParams, 'issuer'>) => make({ entries: revoked(1), ...p });
    // Applied: base 10, delta 11 on base 10 (or an older base number).
    expect(
      (
        await rejection(
          validatePath(leaf.certificate, opts([base, await revokes({ number: 11, extra: [delta(10)] })])),
        )
      ).code,
    ).toBe('ERR_CHAIN_REVOKED');
    expect(
      (
        await rejection(
          validatePath(leaf.certificate, opts([base, await revokes({ number: 11, extra: [delta(9)] })])),
        )
      ).code,
    ).toBe('ERR_CHAIN_REVOKED');
    // Not applied: a delta for a newer base, a delta not newer than the base, a delta of another scope.
    for (const d of [
      await revokes({ number: 12, extra: [delta(11)] }),
      await revokes({ number: 10, extra: [delta(9)] }),
      await revokes({ number: 11, extra: [delta(10), caOnly] }),
    ])
      await expect(validatePath(leaf.certificate, opts([base, d]))).resolves.toBeDefined();
  });

  it('of two deltas the newer decides (a later removeFromCRL releases a hold the older delta set)', async () => {
    const base = await make({ number: 20 });
    const hold = await make({ number: 21, entries: revoked(6), extra: [delta(20)] });
    const release = await make({ number: 22, entries: revoked(8), extra: [delta(20)] });
    await expect(validatePath(leaf.certificate, opts([base, hold, release]))).resolves.toBeDefined();
    await expect(validatePath(leaf.certificate, opts([base, release, hold]))).resolves.toBeDefined();
    expect((await rejection(validatePath(leaf.certificate, opts([base, hold])))).code).toBe(
      'ERR_CHAIN_REVOKED',
    );
  });

  it('the validity window: from the latest thisUpdate to the earliest nextUpdate + grace of the CRLs used', async () => {
    const base = await make({
      number: 30,
      thisUpdate: new Date(NOW - 3_600_000),
      nextUpdate: new Date(NOW + 7_200_000),
    });
    const d = await make({
      number: 31,
      extra: [delta(30)],
      thisUpdate: new Date(NOW - 600_000),
      nextUpdate: new Date(NOW + 3_600_000),
    });
    const path = await validatePath(leaf.certificate, opts([base, d], 60));
    expect(path.validFrom.getTime()).toBe(Math.max(NOW - 600_000, leaf.certificate.notBefore.getTime()));
    expect(path.validUntil.getTime()).toBe(
      Math.min(NOW + 3_600_000 + 60_000, leaf.certificate.notAfter.getTime()),
    );
    const alone = await validatePath(leaf.certificate, opts([base]));
    expect(alone.validUntil.getTime()).toBe(Math.min(NOW + 7_200_000, leaf.certificate.notAfter.getTime()));
  });
});

describe('checkRevocation: who may sign a CRL, each refusal in words', () => {
  it('a CRL signed with another key than its issuer holds (a forged CRL hiding a revocation) names both', async () => {
    const forged = await make({ signingKey: (await newKeys()).privateKey });
    const r = await rejection(validatePath(leaf.certificate, opts([forged])));
    expect(r).toMatchObject({
      code: 'ERR_CRL_INVALID',
      message: `the signature of the CRL of ${parseCrlDer(forged).issuer} does not verify with the key of "${root.certificate.subject}"`,
    });
  });

  it('an issuer whose key usage lacks cRLSign cannot vouch for its CRL', async () => {
    const noCrlSign = await forgeRoot('No cRLSign Root', {
      ku: { oid: OIDS.ku, critical: true, value: ext.keyUsage(KU_BITS.keyCertSign) },
    });
    const itsLeaf = await forgeLeaf('leaf of no cRLSign', noCrlSign);
    const crl = await forgeCrl({ issuer: noCrlSign });
    const r = await rejection(
      validatePath(itsLeaf.certificate, { ...opts([crl]), trustAnchors: [noCrlSign.certificate] }),
    );
    expect(r).toMatchObject({
      code: 'ERR_CRL_INVALID',
      message: `the CRL of ${parseCrlDer(crl).issuer} cannot be verified: "${noCrlSign.certificate.subject}" lacks cRLSign`,
    });
  });
});
