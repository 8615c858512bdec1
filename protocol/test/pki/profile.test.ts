/** The profile's ship name: written as a percent-encoded SAN URI, read back only when it follows the rule. */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../src/testing/pki';
import { hasRole, identityUris, MRN_PREFIX, readIdentity, roleUri } from '../../src/pki/profile';

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
      // Not even a name key holding undefined: the identity carries only what the certificate asserts.
      expect(id).toStrictEqual({ entityId: 'v1', roles: ['vessel'] });
    }
  });
});

describe('profile: identity URIs written by the CA', () => {
  it('one role URI per role, then IMO, MMSI, flag and name in their namespaces', () => {
    expect(
      identityUris({
        entityId: 'IMO9074729',
        roles: ['vessel', 'admin'],
        imo: '9074729',
        mmsi: '257123450',
        flag: 'NO',
        name: 'MV Tern',
      }),
    ).toEqual([
      'urn:mrn:helmlink:vessel:IMO9074729',
      'urn:mrn:helmlink:admin:IMO9074729',
      'urn:mrn:imo:imo-number:9074729',
      'urn:mrn:itu:mmsi:257123450',
      'urn:mrn:helmlink:flag:NO',
      'urn:mrn:helmlink:name:MV%20Tern',
    ]);
    expect(identityUris({ entityId: 'p-1', roles: [] })).toEqual([]);
    expect(roleUri('broker', 'mqtt-1')).toBe('urn:mrn:helmlink:broker:mqtt-1');
  });

  it('refuses what a certificate must never assert (TypeError: a caller bug)', () => {
    const cases: [Parameters<typeof identityUris>[0], string][] = [
      [{ entityId: 'pilot/one', roles: ['pilot'] }, 'invalid entity id: pilot/one'],
      [{ entityId: 'p1', roles: ['captain' as 'pilot'] }, 'unknown role: captain'],
      [{ entityId: 'v1', roles: ['vessel'], imo: '9074728' }, 'invalid IMO number: 9074728'],
      [{ entityId: 'v1', roles: ['vessel'], mmsi: '25712345' }, 'invalid MMSI: 25712345'],
      [{ entityId: 'v1', roles: ['vessel'], flag: 'XX' }, 'invalid flag state: XX'],
    ];
    for (const [identity, message] of cases) {
      expect(() => identityUris(identity), message).toThrow(new TypeError(message));
    }
  });
});

describe('profile: the identity read from a certificate', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki({ now: NOW });
  });
  /** A certificate for `subject` whose SAN holds `names` (a string is a URI). */
  const certWith = (subject: string, names: (string | x509.JsonGeneralName)[]) =>
    x509.X509CertificateGenerator.create({
      subject,
      issuer: pki.issuing.certificate.subjectName,
      publicKey: pki.issuing.keys.publicKey,
      signingKey: pki.issuing.keys.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
      extensions:
        names.length > 0
          ? [
              new x509.SubjectAlternativeNameExtension(
                names.map((n) => (typeof n === 'string' ? { type: 'url' as const, value: n } : n)),
              ),
            ]
          : [],
    });

  it('a subject without exactly one CN that is an entity id has no identity (ERR_CERT_PROFILE)', async () => {
    for (const subject of ['O=Helmlink Test Fleet', 'CN=p1, CN=p2', 'CN=pilot one']) {
      const cert = await certWith(subject, [roleUri('pilot', 'p1')]);
      expect(() => readIdentity(cert), subject).toThrowError(
        expect.objectContaining({
          code: 'ERR_CERT_PROFILE',
          message: 'the certificate subject needs exactly one CN that is a valid entity id',
        }),
      );
    }
  });

  it('roles come only from role URIs of the subject CN; other namespaces and unknown roles are ignored', async () => {
    const cert = await certWith('CN=p1, O=Fleet', [
      roleUri('pilot', 'p1'),
      'urn:mrn:helmlink:captain:p1',
      'urn:mrn:helmlink:pilot',
      'urn:mrn:other:admin:p1',
      'https://helmlink.example/admin/p1',
      roleUri('pilot', 'p1'),
      roleUri('admin', 'p1'),
    ]);
    const id = readIdentity(cert);
    expect(id).toEqual({ entityId: 'p1', roles: ['pilot', 'admin'], organization: 'Fleet' });
    expect([hasRole(id, 'admin'), hasRole(id, 'vessel')]).toEqual([true, false]);
    // No SAN at all, and two organisations (ambiguous): an identity without roles or organisation.
    expect(readIdentity(await certWith('CN=p1, O=A, O=B', []))).toStrictEqual({ entityId: 'p1', roles: [] });
    // Attack: a role URI in a foreign namespace whose tail lines up with a Helmlink role ("admin:p1"), and a
    // Helmlink URI without the separator that ends in a role name plus one character.
    const foreign = `https://${'e'.repeat(MRN_PREFIX.length - 9)}/admin:p1`;
    expect(foreign.slice(MRN_PREFIX.length)).toBe('admin:p1');
    expect(readIdentity(await certWith('CN=p1', [foreign, `${MRN_PREFIX}adminX`]))).toStrictEqual({
      entityId: 'p1',
      roles: [],
    });
  });

  it('roles are read from URIs only (attack: a role URI smuggled into a dNSName or rfc822Name entry)', async () => {
    const cert = await certWith('CN=p1', [
      { type: 'dns', value: roleUri('admin', 'p1') },
      { type: 'email', value: roleUri('admin', 'p1') },
      roleUri('pilot', 'p1'),
    ]);
    expect(readIdentity(cert)).toStrictEqual({ entityId: 'p1', roles: ['pilot'] });
  });

  it('a role URI naming another entity is refused, not skipped (attack: a pilot certificate that also names the admin)', async () => {
    const cert = await certWith('CN=p1', [roleUri('pilot', 'p1'), roleUri('admin', 'root-admin')]);
    expect(() => readIdentity(cert)).toThrowError(
      expect.objectContaining({
        code: 'ERR_CERT_PROFILE',
        message: 'role URI urn:mrn:helmlink:admin:root-admin names another entity than the subject CN p1',
      }),
    );
  });
});
