import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  certificateToPem,
  createRootCertificate,
  createSubordinateCaCertificate,
  generateKeyPair,
  parseCsr,
  systemClock,
  frozenClock,
} from '@helmlink/protocol';
import { importIntermediate, initAuthority } from '../../src/authority/init';
import { loadAuthority } from '../../src/authority/authority';
import { caPaths } from '../../src/authority/files';
import { createTestCa, makeCsr, PASSPHRASE } from '../helpers';

async function externalRoot() {
  const keys = await generateKeyPair('ecdsa-p384');
  const now = new Date();
  const certificate = await createRootCertificate({
    name: { cn: 'Owner Root', o: 'Owner' },
    keys,
    notBefore: now,
    notAfter: new Date(now.getTime() + 20 * 365 * 86_400_000),
  });
  return { certificate, privateKey: keys.privateKey };
}

describe('external root', () => {
  it('writes the issuing CSR, imports the signed certificate and issues under the external root', async () => {
    const { dir } = await createTestCa(systemClock, { externalRoot: true });
    const csr = parseCsr(readFileSync(caPaths(dir).issuingCsr, 'utf8'));
    expect(await csr.verify()).toBe(true);
    await expect(loadAuthority({ dir, passphrase: PASSPHRASE })).rejects.toMatchObject({
      code: 'ERR_CA_NOT_INITIALIZED',
    });
    const root = await externalRoot();
    const now = new Date();
    const issuing = await createSubordinateCaCertificate({
      name: { cn: 'Owner Issuing CA', o: 'Owner' },
      publicKey: await csr.publicKey.export(),
      issuer: root,
      notBefore: now,
      notAfter: new Date(now.getTime() + 5 * 365 * 86_400_000),
    });
    // A certificate for another key is refused.
    const other = await createSubordinateCaCertificate({
      name: { cn: 'Other' },
      publicKey: (await generateKeyPair('ecdsa-p256')).publicKey,
      issuer: root,
      notBefore: now,
      notAfter: new Date(now.getTime() + 86_400_000),
    });
    await expect(
      importIntermediate({
        dir,
        passphrase: PASSPHRASE,
        certificatePem: certificateToPem(other),
        rootPem: certificateToPem(root.certificate),
      }),
    ).rejects.toMatchObject({
      code: 'ERR_CERT_PROFILE',
    });
    const result = await importIntermediate({
      dir,
      passphrase: PASSPHRASE,
      certificatePem: certificateToPem(issuing),
      rootPem: certificateToPem(root.certificate),
    });
    expect(result.state).toBe('ready');
    const authority = await loadAuthority({ dir, passphrase: PASSPHRASE });
    const { token } = authority.createEnrollmentToken({ entityId: 'mv-ext', roles: ['vessel'] });
    const issued = await authority.enroll({ csr: (await makeCsr('mv-ext')).pem, token });
    expect(issued.rootPem).toBe(certificateToPem(root.certificate));
    await authority.close();
  });

  it('refuses an empty passphrase and a second init', async () => {
    const { dir } = await createTestCa(systemClock);
    await expect(initAuthority({ dir, passphrase: PASSPHRASE })).rejects.toMatchObject({
      code: 'ERR_CA_EXISTS',
    });
    await expect(initAuthority({ dir: `${dir}-x`, passphrase: '' })).rejects.toMatchObject({
      code: 'ERR_PASSPHRASE_REQUIRED',
    });
    await expect(loadAuthority({ dir, passphrase: 'wrong' })).rejects.toMatchObject({
      code: 'ERR_KEY_DECRYPT',
    });
  });
});

describe('root CRL', () => {
  it('is re-issued by the CA when it nears nextUpdate and the root key is present', async () => {
    const clock = frozenClock(Date.now());
    const { dir } = await createTestCa(clock);
    const authority = await loadAuthority({ dir, passphrase: PASSPHRASE, clock });
    expect(await authority.refreshRootCrlIfDue()).toBe(false);
    clock.advance(100 * 86_400_000);
    expect(await authority.refreshRootCrlIfDue()).toBe(true);
    const { parseCrls, crlNumberOf } = await import('@helmlink/protocol');
    expect(crlNumberOf(parseCrls(readFileSync(caPaths(dir).rootCrl, 'utf8'))[0]!)).toBe(2);
    await authority.close();
  });
});
