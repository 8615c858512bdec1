import { existsSync, mkdtempSync, renameSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificatesToPem, exportPkcs8, encryptPrivateKey } from '@helmlink/protocol';
import { createTestPki } from '@helmlink/protocol/testing';
import { identityPaths, loadIdentity, saveIdentity } from '../../src/identity';

const PASS = 'vessel passphrase';

describe('identity at rest', () => {
  it('stores the key encrypted, reloads it, refuses a wrong passphrase and reports a missing enrollment', async () => {
    const pki = await createTestPki();
    const v = await pki.issue('MV', ['vessel']);
    const dir = mkdtempSync(join(tmpdir(), 'vessel-id-'));
    await expect(loadIdentity(dir, PASS)).rejects.toMatchObject({ code: 'ERR_NOT_ENROLLED' });
    await saveIdentity(dir, {
      pkcs8: await exportPkcs8(v.keys.privateKey),
      passphrase: PASS,
      chain: v.chain,
      root: pki.root.certificate,
    });
    expect(readFileSync(identityPaths(dir).key, 'utf8')).toContain('ENCRYPTED PRIVATE KEY');
    const id = await loadIdentity(dir, PASS);
    expect(id.certificate.serialNumber).toBe(v.certificate.serialNumber);
    expect(id.tlsKeyPem).toContain('BEGIN PRIVATE KEY');
    await expect(loadIdentity(dir, 'wrong')).rejects.toMatchObject({ code: 'ERR_KEY_DECRYPT' });
  });

  it('recovers from a crash in the middle of a key/certificate swap', async () => {
    const pki = await createTestPki();
    const oldId = await pki.issue('MV', ['vessel']);
    const newId = await pki.issue('MV', ['vessel']);
    const dir = mkdtempSync(join(tmpdir(), 'vessel-swap-'));
    const p = identityPaths(dir);
    await saveIdentity(dir, {
      pkcs8: await exportPkcs8(oldId.keys.privateKey),
      passphrase: PASS,
      chain: oldId.chain,
      root: pki.root.certificate,
    });
    // Crash after the new key was renamed in, before the certificate: the certificate is completed on load.
    renameSync(p.key, `${p.key}.old`);
    writeFileSync(p.key, await encryptPrivateKey(await exportPkcs8(newId.keys.privateKey), PASS));
    writeFileSync(`${p.cert}.next`, certificatesToPem(newId.chain));
    expect((await loadIdentity(dir, PASS)).certificate.serialNumber).toBe(newId.certificate.serialNumber);
    expect(existsSync(`${p.cert}.next`)).toBe(false);
    // Crash before the swap started: the pending files are dropped, the current pair stays.
    writeFileSync(`${p.key}.next`, 'pending');
    writeFileSync(`${p.cert}.next`, 'pending');
    expect((await loadIdentity(dir, PASS)).certificate.serialNumber).toBe(newId.certificate.serialNumber);
    expect(existsSync(`${p.key}.next`)).toBe(false);
  });
});
