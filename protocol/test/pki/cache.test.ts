import '../../src/reflect';
import type * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainCache } from '../../src/pki/cache';
import { CrlStore } from '../../src/pki/crl-store';
import { validatePath } from '../../src/pki/validate';
import { createTestPki, type TestEntity, type TestPki } from '../../src/testing/pki';

const NOW = new Date('2026-06-01T12:00:00Z');
let pki: TestPki;
let pilot: TestEntity;
let store: CrlStore;
const KEY = 'x5c:leaf-b64.issuing-b64';

beforeAll(async () => {
  pki = await createTestPki({ now: NOW });
  pilot = await pki.issue('pilot-1', ['pilot']);
  store = new CrlStore();
  await store.accept(await pki.issuingCrl([]), pki.issuing.certificate);
});

function validateAt(time: Date, crls: readonly x509.X509Crl[]) {
  return validatePath(pilot.certificate, {
    trustAnchors: [pki.root.certificate],
    intermediates: [pki.issuing.certificate],
    crls,
    time,
    purpose: 'clientAuth',
    revocation: { mode: 'leaf' },
  });
}

describe('ChainCache', () => {
  it('serves a warm hit without validating again, inside the validity window only', async () => {
    const cache = new ChainCache();
    let validations = 0;
    const run = () => {
      validations++;
      return validateAt(NOW, store.crls());
    };
    const first = await cache.getOrValidate(KEY, NOW.getTime(), store.generation, run);
    const second = await cache.getOrValidate(KEY, NOW.getTime() + 1000, store.generation, run);
    expect(second).toBe(first);
    expect(validations).toBe(1);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, size: 1 });
    // Before the window (earlier than the CRL thisUpdate / notBefore): a miss, the entry stays.
    expect(cache.get(KEY, first.validFrom.getTime() - 1, store.generation)).toBeUndefined();
    expect(cache.size).toBe(1);
    // Past the horizon (CRL nextUpdate): a miss and the entry is dropped.
    expect(cache.get(KEY, first.validUntil.getTime() + 1, store.generation)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('is invalidated when a newer CRL is accepted (generation), and the revocation is then seen', async () => {
    const cache = new ChainCache();
    const generation = store.generation;
    await cache.getOrValidate(KEY, NOW.getTime(), generation, () => validateAt(NOW, store.crls()));
    const revoked = await pki.issuingCrl([
      { serial: pilot.certificate.serialNumber, revokedAt: NOW, reason: 1 },
    ]);
    await store.accept(revoked, pki.issuing.certificate);
    expect(store.generation).toBe(generation + 1);
    expect(cache.get(KEY, NOW.getTime(), store.generation)).toBeUndefined();
    await expect(
      cache.getOrValidate(KEY, NOW.getTime(), store.generation, () => validateAt(NOW, store.crls())),
    ).rejects.toMatchObject({ code: 'ERR_CHAIN_REVOKED' });
    // Failures are not cached.
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry beyond its bound', async () => {
    const cache = new ChainCache({ maxEntries: 2 });
    const path = await validateAt(NOW, [await pki.issuingCrl([])]);
    cache.set('a', path, 0);
    cache.set('b', path, 0);
    expect(cache.get('a', NOW.getTime(), 0)).toBe(path); // a is now the most recent
    cache.set('c', path, 0);
    expect(cache.get('b', NOW.getTime(), 0)).toBeUndefined();
    expect(cache.get('a', NOW.getTime(), 0)).toBe(path);
    expect(cache.get('c', NOW.getTime(), 0)).toBe(path);
    expect(() => new ChainCache({ maxEntries: 0 })).toThrow(TypeError);
  });

  it('the window is inclusive at both ends; a generation other than the cached one drops the entry (attack: a path revoked since)', async () => {
    const cache = new ChainCache();
    const path = await validateAt(NOW, [await pki.issuingCrl([])]);
    const from = path.validFrom.getTime();
    const until = path.validUntil.getTime();
    cache.set(KEY, path, 5);
    expect(cache.get(KEY, from, 5)).toBe(path);
    expect(cache.get(KEY, until, 5)).toBe(path);
    expect(cache.stats).toEqual({ hits: 2, misses: 0, size: 1 });
    expect(cache.get(KEY, from, 4)).toBeUndefined();
    expect(cache.stats).toEqual({ hits: 2, misses: 1, size: 0 });
    cache.set(KEY, path, 6);
    expect(cache.get(KEY, from, 7)).toBeUndefined();
    expect(cache.get('another key', from, 6)).toBeUndefined();
    expect(cache.stats).toEqual({ hits: 2, misses: 3, size: 0 });
  });

  it('storing a key again replaces it and makes it the most recent; delete and clear empty the cache', async () => {
    const cache = new ChainCache({ maxEntries: 2 });
    const path = await validateAt(NOW, [await pki.issuingCrl([])]);
    const t = NOW.getTime();
    cache.set('a', path, 0);
    cache.set('b', path, 0);
    cache.set('a', path, 1);
    expect(cache.size).toBe(2);
    cache.set('c', path, 1);
    expect([cache.get('a', t, 1), cache.get('b', t, 0), cache.get('c', t, 1)]).toEqual([
      path,
      undefined,
      path,
    ]);
    cache.delete('a');
    expect([cache.size, cache.get('a', t, 1)]).toEqual([1, undefined]);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('holds 1024 entries by default; maxEntries must be a positive integer', async () => {
    const cache = new ChainCache();
    const path = await validateAt(NOW, [await pki.issuingCrl([])]);
    for (let i = 0; i <= 1024; i++) cache.set(`k${i}`, path, 0);
    expect(cache.size).toBe(1024);
    expect(cache.get('k0', NOW.getTime(), 0)).toBeUndefined();
    expect(cache.get('k1', NOW.getTime(), 0)).toBe(path);
    expect(new ChainCache({ maxEntries: 1 }).size).toBe(0);
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
      expect(() => new ChainCache({ maxEntries }), String(maxEntries)).toThrow(
        new TypeError('ChainCache: maxEntries must be a positive integer'),
      );
    }
  });
});
