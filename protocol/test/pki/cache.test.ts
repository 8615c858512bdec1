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
});
