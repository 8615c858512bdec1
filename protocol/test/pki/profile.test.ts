/** The profile's ship name: written as a percent-encoded SAN URI, read back only when it follows the rule. */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../src/testing/pki';
import { identityUris, MRN_PREFIX, readIdentity } from '../../src/pki/profile';

const NOW = new Date('2026-11-22T03:00:00Z');

describe('profile: the ship name', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki({ now: NOW });
  });

  it('is certified next to IMO, MMSI and flag and read back as written', async () => {
    const v = await pki.issue('IMO9074729', ['vessel'], {
      name: 'MS Ærøskøbing (II)',
      imo: '9074729',
      mmsi: '257123450',
      flag: 'NO',
    });
    const san = v.certificate.getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(san.names.items.map((n) => n.value)).toContain(
      `${MRN_PREFIX}name:MS%20%C3%86r%C3%B8sk%C3%B8bing%20(II)`,
    );
    expect(readIdentity(v.certificate)).toMatchObject({
      entityId: 'IMO9074729',
      name: 'MS Ærøskøbing (II)',
      imo: '9074729',
    });
  });

  it('refuses to write a name that breaks the rule', () => {
    expect(() => identityUris({ entityId: 'v1', roles: ['vessel'], name: '<b>Tern</b>' })).toThrow(
      'invalid ship name: <b>Tern</b>',
    );
  });

  it('ignores a name URI that is not percent-encoded UTF-8 or breaks the rule', async () => {
    for (const value of [`${MRN_PREFIX}name:%E0%A4%A`, `${MRN_PREFIX}name:%3Cb%3ETern`]) {
      const cert = await x509.X509CertificateGenerator.create({
        subject: 'CN=v1',
        issuer: pki.issuing.certificate.subjectName,
        publicKey: pki.issuing.keys.publicKey,
        signingKey: pki.issuing.keys.privateKey,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
        extensions: [
          new x509.SubjectAlternativeNameExtension([
            { type: 'url', value: `${MRN_PREFIX}vessel:v1` },
            { type: 'url', value },
          ]),
        ],
      });
      const id = readIdentity(cert);
      expect(id.roles).toEqual(['vessel']);
      expect(id.name).toBeUndefined();
    }
  });
});
