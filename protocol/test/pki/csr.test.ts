import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/keys';
import { createProfileCsr } from '../../src/pki/csr';
import { parseCsr } from '../../src/pki/pem';

describe('profile CSR', () => {
  it.each(['ecdsa-p256', 'ed25519'] as const)(
    'asks for CN = entity id and nothing else, signed by the %s key',
    async (spec) => {
      const keys = await generateKeyPair(spec, { extractable: true });
      const pem = await createProfileCsr('vessel-imo9074729', keys);
      expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\r?\n/u);
      const csr = parseCsr(pem);
      expect(csr.subject).toBe('CN=vessel-imo9074729');
      expect(csr.extensions).toEqual([]);
      expect(await csr.verify()).toBe(true);
      const spki = new Uint8Array(await globalThis.crypto.subtle.exportKey('spki', keys.publicKey));
      expect(new Uint8Array(csr.publicKey.rawData)).toEqual(spki);
    },
  );

  it('refuses an id the CA would refuse', async () => {
    const keys = await generateKeyPair('ecdsa-p256');
    await expect(createProfileCsr('pilot 7', keys)).rejects.toMatchObject({ code: 'ERR_ID_INVALID' });
  });
});
