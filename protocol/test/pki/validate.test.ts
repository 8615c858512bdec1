import '../../src/reflect';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BaseCRLNumber, CRLNumber } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { HelmlinkError } from '../../src/errors';
import {
  buildCrl,
  createRootCertificate,
  createSubordinateCaCertificate,
  type IssuerMaterial,
} from '../../src/pki/build';
import { validatePath, type ValidatePathOptions } from '../../src/pki/validate';
import { createTestPki, generateTestKeyPair, type TestEntity, type TestPki } from '../../src/testing/pki';
import { toHex } from '../../src/pki/der';
import { codeOf, customCert, customCrl, DAY, tamper } from './helpers';
import { ext, FORGE_NOW, forgeCa, forgedPathOptions, forgeLeaf, forgeRoot } from './forge';

const NOW = new Date('2026-06-01T12:00:00Z');
let pki: TestPki;
let pilot: TestEntity;
let crl: x509.X509Crl;

function opts(over: Partial<ValidatePathOptions> = {}): ValidatePathOptions {
  return {
    trustAnchors: [pki.root.certificate],
    intermediates: [pki.issuing.certificate],
    crls: [crl],
    time: NOW,
    purpose: 'clientAuth',
    revocation: { mode: 'leaf' },
    ...over,
  };
}

function caParams(cn: string, issuer: IssuerMaterial, extra: Partial<Parameters<typeof customCert>[0]> = {}) {
  return {
    cn,
    issuer,
    ca: true,
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 100 * DAY),
    ...extra,
  };
}
function leafParams(
  cn: string,
  issuer: IssuerMaterial,
  extra: Partial<Parameters<typeof customCert>[0]> = {},
) {
  return {
    cn,
    issuer,
    eku: ['1.3.6.1.5.5.7.3.2'],
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 10 * DAY),
    ...extra,
  };
}

beforeAll(async () => {
  pki = await createTestPki({ now: NOW });
  pilot = await pki.issue('pilot-1', ['pilot']);
  crl = await pki.issuingCrl([]);
});

describe('validatePath: valid paths', () => {
  it('validates leaf → issuing CA → root with the issuing CA CRL and reads the identity', async () => {
    const path = await validatePath(pilot.certificate, opts());
    expect(path.chain.map((c) => c.subject)).toEqual([
      pilot.certificate.subject,
      pki.issuing.certificate.subject,
      pki.root.certificate.subject,
    ]);
    expect(path.anchor).toBe(pki.root.certificate);
    expect(path.identity).toMatchObject({ entityId: 'pilot-1', roles: ['pilot'] });
    expect(path.leafFingerprint).toMatch(/^[0-9a-f]{64}$/u);
    // The horizon is the earliest of notAfter and the CRL's nextUpdate.
    expect(path.validUntil.getTime()).toBe(
      Math.min(pilot.certificate.notAfter.getTime(), crl.nextUpdate!.getTime()),
    );
    expect(path.validFrom.getTime()).toBe(
      Math.max(pilot.certificate.notBefore.getTime(), crl.thisUpdate.getTime()),
    );
  });

  it('validates Ed25519, P-384 and RSA-PSS keys and signatures', async () => {
    for (const caAlg of ['EdDSA', 'ES384', 'PS256'] as const) {
      const other = await createTestPki({ now: NOW, caAlg });
      const leaf = await other.issue('vessel-9', ['vessel'], { alg: caAlg });
      const path = await validatePath(leaf.certificate, {
        ...opts(),
        trustAnchors: [other.root.certificate],
        intermediates: [other.issuing.certificate],
        crls: [await other.issuingCrl()],
      });
      expect(path.chain).toHaveLength(3);
    }
  });

  it('ignores a copy of the root and duplicates inside the intermediates', async () => {
    const path = await validatePath(
      pilot.certificate,
      opts({
        intermediates: [
          pki.root.certificate,
          pki.issuing.certificate,
          pki.issuing.certificate,
          pilot.certificate,
        ],
      }),
    );
    expect(path.chain).toHaveLength(3);
  });

  it('returns no identity for a leaf outside the profile', async () => {
    const plain = await customCert(leafParams('not an entity', pki.issuing));
    const path = await validatePath(plain.certificate, opts({ revocation: { mode: 'off' } }));
    expect(path.identity).toBeUndefined();
  });

  it('rejects invalid options with TypeError', async () => {
    await expect(validatePath(pilot.certificate, { ...opts(), time: new Date('x') })).rejects.toBeInstanceOf(
      TypeError,
    );
    await expect(
      validatePath(pilot.certificate, { ...opts(), purpose: 'codeSigning' as never }),
    ).rejects.toBeInstanceOf(TypeError);
    await expect(
      validatePath(pilot.certificate, { ...opts(), revocation: { mode: 'leaf', staleGraceSeconds: -1 } }),
    ).rejects.toBeInstanceOf(TypeError);
  });
});

describe('validatePath: options and inputs', () => {
  it('each invalid option is a TypeError that names it (a caller bug, never a verdict on the certificate)', async () => {
    const cases: [unknown, string][] = [
      [undefined, 'validatePath: options are required'],
      ['leaf mode', 'validatePath: options are required'],
      [{ ...opts(), time: NOW.getTime() }, 'validatePath: options.time must be a valid Date'],
      [{ ...opts(), time: new Date(Number.NaN) }, 'validatePath: options.time must be a valid Date'],
      [
        { ...opts(), trustAnchors: pki.root.certificate },
        'validatePath: options.trustAnchors must be an array',
      ],
      [{ ...opts(), purpose: 'codeSigning' }, 'validatePath: unknown purpose codeSigning'],
      [
        { ...opts(), revocation: undefined },
        'validatePath: options.revocation.mode must be off, leaf or chain',
      ],
      [
        { ...opts(), revocation: { mode: 'all' } },
        'validatePath: options.revocation.mode must be off, leaf or chain',
      ],
      ...[-1, Number.NaN, Number.POSITIVE_INFINITY].map((staleGraceSeconds): [unknown, string] => [
        { ...opts(), revocation: { mode: 'leaf', staleGraceSeconds } },
        'validatePath: staleGraceSeconds must be a non-negative number',
      ]),
      [{ ...opts(), leafKeyUsage: ['signing'] }, 'validatePath: unknown key usage signing'],
    ];
    for (const [options, message] of cases) {
      await expect(validatePath(pilot.certificate, options as ValidatePathOptions), message).rejects.toThrow(
        new TypeError(message),
      );
    }
    for (const purpose of ['clientAuth', 'any'] as const) {
      await expect(validatePath(pilot.certificate, opts({ purpose }))).resolves.toBeDefined();
    }
    for (const mode of ['off', 'chain'] as const) {
      await expect(
        validatePath(pilot.certificate, opts({ revocation: { mode }, crls: [crl, await pki.rootCrl()] })),
      ).resolves.toBeDefined();
    }
    await expect(
      validatePath(pilot.certificate, opts({ revocation: { mode: 'leaf', staleGraceSeconds: 0 } })),
    ).resolves.toBeDefined();
  });

  it('the time is compared in whole seconds: a certificate is valid through the last second of its notAfter', async () => {
    const root = await forgeRoot('Whole Second Root');
    const notAfter = new Date(FORGE_NOW.getTime() + DAY);
    const leaf = await forgeLeaf('leaf', root, { notAfter });
    const at = (ms: number) =>
      validatePath(leaf.certificate, forgedPathOptions([root], [], { time: new Date(ms) }));
    await expect(at(notAfter.getTime() + 999)).resolves.toBeDefined();
    expect(await codeOf(at(notAfter.getTime() + 1000))).toBe('ERR_CHAIN_EXPIRED');
  });

  it('the key usages the leaf needs come from leafKeyUsage (several are all required)', async () => {
    const root = await forgeRoot('KU Root');
    const signer = await forgeLeaf('leaf', root, {
      ku: { oid: '2.5.29.15', critical: true, value: ext.keyUsage(1 | 16) },
    });
    const needs = (leafKeyUsage: ValidatePathOptions['leafKeyUsage']) =>
      validatePath(signer.certificate, forgedPathOptions([root], [], { leafKeyUsage }));
    await expect(needs(['digitalSignature', 'keyAgreement'])).resolves.toBeDefined();
    expect(await codeOf(needs(['digitalSignature', 'keyEncipherment']))).toBe('ERR_CHAIN_KEY_USAGE');
    expect(await codeOf(needs(['nonRepudiation']))).toBe('ERR_CHAIN_KEY_USAGE');
    const noSignature = await forgeLeaf('leaf', root, {
      ku: { oid: '2.5.29.15', critical: true, value: ext.keyUsage(16) },
    });
    // The default is digitalSignature.
    const byDefault = { ...forgedPathOptions([root]), leafKeyUsage: undefined };
    expect(await codeOf(validatePath(noSignature.certificate, byDefault))).toBe('ERR_CHAIN_KEY_USAGE');
    await expect(validatePath(signer.certificate, byDefault)).resolves.toBeDefined();
  });

  it('an unparsable intermediate or anchor is skipped (it can never be part of a valid path)', async () => {
    const root = await forgeRoot('Parse Root');
    const ica = await forgeCa('Parse ICA', root);
    const broken = await forgeCa('Broken ICA', root, {
      extra: [{ oid: '2.5.29.19', value: ext.basicConstraints(true) }],
    });
    const brokenRoot = await forgeRoot('Broken Root', {
      extra: [{ oid: '2.5.29.19', value: ext.basicConstraints(true) }],
    });
    const leaf = await forgeLeaf('leaf', ica);
    const path = await validatePath(leaf.certificate, forgedPathOptions([brokenRoot, root], [broken, ica]));
    expect(path.chain.map((c) => c.subject)).toEqual(['CN=leaf', 'CN=Parse ICA', 'CN=Parse Root']);
    expect(path.leaf).toBe(leaf.certificate);
    expect(path.leafFingerprint).toBe(
      toHex(await globalThis.crypto.subtle.digest('SHA-256', leaf.der as Uint8Array<ArrayBuffer>)),
    );
    expect(path.validFrom.getTime()).toBe(FORGE_NOW.getTime() - DAY);
    expect(path.validUntil.getTime()).toBe(FORGE_NOW.getTime() + 100 * DAY);
  });

  it('something that is no certificate object among the inputs is a caller bug (TypeError), not a skipped certificate', async () => {
    await expect(
      validatePath(pilot.certificate, opts({ intermediates: [null as never] })),
    ).rejects.toBeInstanceOf(TypeError);
  });

  it('a leaf with a valid CN but no role URI has no identity', async () => {
    const plain = await customCert(leafParams('pilot-2', pki.issuing));
    const path = await validatePath(plain.certificate, opts({ revocation: { mode: 'off' } }));
    expect(path.identity).toBeUndefined();
  });
});

describe('validatePath: rejection codes', () => {
  it('ERR_CHAIN_UNTRUSTED without a matching anchor', async () => {
    const other = await createTestPki({ now: NOW, rootName: { cn: 'Other Root' } });
    expect(
      await codeOf(validatePath(pilot.certificate, opts({ trustAnchors: [other.root.certificate] }))),
    ).toBe('ERR_CHAIN_UNTRUSTED');
  });

  it('ERR_CHAIN_UNTRUSTED for a look-alike root (same names, other keys) carried in the intermediates', async () => {
    const fake = await createTestPki({
      now: NOW,
      rootName: { cn: 'Helmlink Test Root CA', o: pki.organization },
    });
    const mallory = await fake.issue('pilot-1', ['pilot']);
    const err = await validatePath(
      mallory.certificate,
      opts({ intermediates: [fake.issuing.certificate, fake.root.certificate], crls: [] }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmlinkError);
    expect((err as HelmlinkError).code).toBe('ERR_CHAIN_UNTRUSTED');
    // The self-signed look-alike is never an anchor, even alone.
    expect(
      await codeOf(
        validatePath(
          fake.root.certificate,
          opts({ intermediates: [fake.root.certificate], allowCaLeaf: true, revocation: { mode: 'off' } }),
        ),
      ),
    ).toBe('ERR_CHAIN_UNTRUSTED');
  });

  it('ERR_CHAIN_SIGNATURE for a tampered signature', async () => {
    expect(await codeOf(validatePath(tamper(pilot.certificate), opts()))).toBe('ERR_CHAIN_SIGNATURE');
  });

  it('ERR_CHAIN_EXPIRED / ERR_CHAIN_NOT_YET_VALID for the leaf', async () => {
    expect(
      await codeOf(
        validatePath(
          pilot.certificate,
          opts({ time: new Date(pilot.certificate.notAfter.getTime() + 1000), revocation: { mode: 'off' } }),
        ),
      ),
    ).toBe('ERR_CHAIN_EXPIRED');
    expect(
      await codeOf(
        validatePath(
          pilot.certificate,
          opts({ time: new Date(pilot.certificate.notBefore.getTime() - 1000), revocation: { mode: 'off' } }),
        ),
      ),
    ).toBe('ERR_CHAIN_NOT_YET_VALID');
  });

  it('ERR_CHAIN_EXPIRED for an expired intermediate', async () => {
    const old = await customCert(
      caParams('Expired Issuing CA', pki.root, {
        notBefore: new Date(NOW.getTime() - 100 * DAY),
        notAfter: new Date(NOW.getTime() - DAY),
      }),
    );
    const leaf = await customCert(
      leafParams('pilot-2', old, { notBefore: new Date(NOW.getTime() - 50 * DAY) }),
    );
    const err = (await validatePath(
      leaf.certificate,
      opts({ intermediates: [old.certificate], revocation: { mode: 'off' } }),
    ).catch((e: unknown) => e)) as HelmlinkError;
    expect(err.code).toBe('ERR_CHAIN_EXPIRED');
    expect(err.details).toMatchObject({ subject: old.certificate.subject });
  });

  it('ERR_CHAIN_NAME_MISMATCH when the issuer name differs from the issuing key holder', async () => {
    const leaf = await customCert(leafParams('pilot-3', pki.issuing, { issuerName: 'CN=Someone Else' }));
    expect(await codeOf(validatePath(leaf.certificate, opts({ revocation: { mode: 'off' } })))).toBe(
      'ERR_CHAIN_NAME_MISMATCH',
    );
  });

  it('ERR_CHAIN_BASIC_CONSTRAINTS for a leaf with CA:TRUE (unless allowed) and for a non-CA issuer', async () => {
    const caLeaf = await customCert(leafParams('pilot-ca', pki.issuing, { ca: true, keyUsage: 1 | 32 }));
    expect(await codeOf(validatePath(caLeaf.certificate, opts({ revocation: { mode: 'off' } })))).toBe(
      'ERR_CHAIN_BASIC_CONSTRAINTS',
    );
    await expect(
      validatePath(caLeaf.certificate, opts({ revocation: { mode: 'off' }, allowCaLeaf: true })),
    ).resolves.toBeDefined();
    const notCa = await customCert(leafParams('not-a-ca', pki.issuing, { keyUsage: 1 | 32 }));
    const below = await customCert(leafParams('pilot-4', notCa));
    expect(
      await codeOf(
        validatePath(
          below.certificate,
          opts({ intermediates: [pki.issuing.certificate, notCa.certificate], revocation: { mode: 'off' } }),
        ),
      ),
    ).toBe('ERR_CHAIN_BASIC_CONSTRAINTS');
  });

  it('ERR_CHAIN_PATH_LENGTH below an issuing CA with pathLen 0', async () => {
    const sub = await customCert(caParams('Sub CA', pki.issuing));
    const leaf = await customCert(leafParams('pilot-5', sub));
    expect(
      await codeOf(
        validatePath(
          leaf.certificate,
          opts({ intermediates: [pki.issuing.certificate, sub.certificate], revocation: { mode: 'off' } }),
        ),
      ),
    ).toBe('ERR_CHAIN_PATH_LENGTH');
  });

  it('ERR_CHAIN_KEY_USAGE for a CA without keyCertSign and a leaf without digitalSignature', async () => {
    const noSign = await customCert(
      caParams('CA without keyCertSign', pki.root, { keyUsage: x509.KeyUsageFlags.cRLSign }),
    );
    const leaf = await customCert(leafParams('pilot-6', noSign));
    expect(
      await codeOf(
        validatePath(
          leaf.certificate,
          opts({ intermediates: [noSign.certificate], revocation: { mode: 'off' } }),
        ),
      ),
    ).toBe('ERR_CHAIN_KEY_USAGE');
    const encOnly = await customCert(
      leafParams('pilot-7', pki.issuing, { keyUsage: x509.KeyUsageFlags.keyEncipherment }),
    );
    expect(await codeOf(validatePath(encOnly.certificate, opts({ revocation: { mode: 'off' } })))).toBe(
      'ERR_CHAIN_KEY_USAGE',
    );
    // The leaf requirement is a parameter (generic validation passes none).
    await expect(
      validatePath(encOnly.certificate, opts({ revocation: { mode: 'off' }, leafKeyUsage: [] })),
    ).resolves.toBeDefined();
    expect(
      await codeOf(
        validatePath(pilot.certificate, opts({ leafKeyUsage: ['digitalSignature', 'nonRepudiation'] })),
      ),
    ).toBe('ERR_CHAIN_KEY_USAGE');
  });

  it('ERR_CHAIN_EKU for the wrong purpose, a missing EKU, or anyExtendedKeyUsage unless accepted', async () => {
    expect(await codeOf(validatePath(pilot.certificate, opts({ purpose: 'serverAuth' })))).toBe(
      'ERR_CHAIN_EKU',
    );
    await expect(validatePath(pilot.certificate, opts({ purpose: 'any' }))).resolves.toBeDefined();
    const noEku = await customCert(leafParams('pilot-8', pki.issuing, { eku: undefined }));
    expect(await codeOf(validatePath(noEku.certificate, opts({ revocation: { mode: 'off' } })))).toBe(
      'ERR_CHAIN_EKU',
    );
    const anyEku = await customCert(leafParams('pilot-9', pki.issuing, { eku: ['2.5.29.37.0'] }));
    expect(await codeOf(validatePath(anyEku.certificate, opts({ revocation: { mode: 'off' } })))).toBe(
      'ERR_CHAIN_EKU',
    );
    await expect(
      validatePath(
        anyEku.certificate,
        opts({ revocation: { mode: 'off' }, acceptAnyExtendedKeyUsage: true }),
      ),
    ).resolves.toBeDefined();
    const serverCa = await customCert(caParams('Server-only CA', pki.root, { eku: ['1.3.6.1.5.5.7.3.1'] }));
    const below = await customCert(leafParams('pilot-10', serverCa));
    expect(
      await codeOf(
        validatePath(
          below.certificate,
          opts({ intermediates: [serverCa.certificate], revocation: { mode: 'off' } }),
        ),
      ),
    ).toBe('ERR_CHAIN_EKU');
  });

  it('ERR_CHAIN_ALG_UNSUPPORTED for a SHA-1 signature and a 1024-bit RSA key', async () => {
    const sha1 = await customCert(
      leafParams('pilot-sha1', pki.issuing, {
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-1' } as EcdsaParams,
      }),
    );
    expect(await codeOf(validatePath(sha1.certificate, opts({ revocation: { mode: 'off' } })))).toBe(
      'ERR_CHAIN_ALG_UNSUPPORTED',
    );
    const small = await globalThis.crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    );
    const weak = await customCert(leafParams('pilot-rsa1024', pki.issuing, { keys: small }));
    expect(await codeOf(validatePath(weak.certificate, opts({ revocation: { mode: 'off' } })))).toBe(
      'ERR_CHAIN_ALG_UNSUPPORTED',
    );
  });

  it('ERR_CHAIN_CRITICAL_EXTENSION for an unknown critical extension; a non-critical one is fine', async () => {
    const ext = (critical: boolean) =>
      new x509.Extension('1.3.6.1.4.1.99999.1', critical, new Uint8Array([0x05, 0x00]));
    const crit = await customCert(leafParams('pilot-crit', pki.issuing, { extraExtensions: [ext(true)] }));
    expect(await codeOf(validatePath(crit.certificate, opts({ revocation: { mode: 'off' } })))).toBe(
      'ERR_CHAIN_CRITICAL_EXTENSION',
    );
    const plain = await customCert(
      leafParams('pilot-noncrit', pki.issuing, { extraExtensions: [ext(false)] }),
    );
    await expect(
      validatePath(plain.certificate, opts({ revocation: { mode: 'off' } })),
    ).resolves.toBeDefined();
  });

  it('ERR_CERT_MALFORMED for a certificate that cannot be parsed', async () => {
    const der = new Uint8Array(pilot.certificate.rawData.slice(0));
    // Turn the basicConstraints value (SEQUENCE) into an OCTET STRING: the certificate parses, the extension does not.
    const bcOid = [0x06, 0x03, 0x55, 0x1d, 0x13];
    const at = der.findIndex((_, i) => bcOid.every((b, k) => der[i + k] === b));
    expect(der[at + bcOid.length + 5]).toBe(0x30);
    der[at + bcOid.length + 5] = 0x04;
    expect(await codeOf(validatePath(new x509.X509Certificate(der), opts()))).toBe('ERR_CERT_MALFORMED');
  });
});

describe('validatePath: path building', () => {
  it('backtracks past a same-name CA with another key to the right one', async () => {
    const decoyKeys = await generateTestKeyPair();
    const decoy = await createSubordinateCaCertificate({
      name: { cn: 'Helmlink Test Issuing CA', o: pki.organization },
      publicKey: decoyKeys.publicKey,
      issuer: pki.root,
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + DAY),
    });
    const path = await validatePath(
      pilot.certificate,
      opts({ intermediates: [decoy, pki.issuing.certificate] }),
    );
    expect(path.chain[1]).toBe(pki.issuing.certificate);
  });

  it('finds the issuer among many same-name decoys (AKI/SKI first) and stays bounded when none fits', async () => {
    const decoys: x509.X509Certificate[] = [];
    for (let i = 0; i < 40; i++) {
      decoys.push(
        (await customCert(caParams('Helmlink Test Issuing CA', pki.root, { pathLength: 5 }))).certificate,
      );
    }
    const path = await validatePath(
      pilot.certificate,
      opts({ intermediates: [...decoys, pki.issuing.certificate] }),
    );
    expect(path.chain[1]).toBe(pki.issuing.certificate);
    // A leaf without key identifiers whose issuer is none of 40 look-alikes: a bounded search, then a verdict.
    const orphanIssuer = await customCert(caParams('Helmlink Test Issuing CA', pki.root));
    const orphan = await customCert(leafParams('pilot-orphan', orphanIssuer, { akiKeyId: 'ff' }));
    expect(
      await codeOf(
        validatePath(orphan.certificate, opts({ intermediates: decoys, revocation: { mode: 'off' } })),
      ),
    ).toMatch(/^ERR_CHAIN_(UNTRUSTED|SIGNATURE)$/u);
  });

  it('tries a second anchor with the same name', async () => {
    const rootKeys = await generateTestKeyPair();
    const otherRoot = await createRootCertificate({
      name: { cn: 'Helmlink Test Root CA', o: pki.organization },
      keys: rootKeys,
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + DAY),
    });
    const path = await validatePath(
      pilot.certificate,
      opts({ trustAnchors: [otherRoot, pki.root.certificate] }),
    );
    expect(path.anchor).toBe(pki.root.certificate);
  });

  it('stops at the depth limit on a loop of cross-certified CAs', async () => {
    const a = await customCert(caParams('Loop A', pki.root, { pathLength: 10 }));
    const b = await customCert(caParams('Loop B', a, { pathLength: 10 }));
    const a2 = await customCert(caParams('Loop A', b, { keys: a.keys, pathLength: 10 }));
    const leaf = await customCert(leafParams('pilot-loop', b));
    const path = await validatePath(
      leaf.certificate,
      opts({ intermediates: [a2.certificate, b.certificate, a.certificate], revocation: { mode: 'off' } }),
    );
    expect(path.chain.map((c) => c.subjectName.getField('CN')[0])).toEqual([
      'pilot-loop',
      'Loop B',
      'Loop A',
      'Helmlink Test Root CA',
    ]);
    const lonely = await customCert(leafParams('pilot-lonely', b));
    expect(
      await codeOf(
        validatePath(
          lonely.certificate,
          opts({
            trustAnchors: [pki.issuing.certificate],
            intermediates: [a2.certificate, b.certificate],
            revocation: { mode: 'off' },
          }),
        ),
      ),
    ).toBe('ERR_CHAIN_UNTRUSTED');
  });
});

describe('validatePath: revocation', () => {
  it('ERR_CHAIN_REVOKED for a revoked signer, with serial and reason', async () => {
    const revoked = await pki.issuingCrl([
      { serial: pilot.certificate.serialNumber, revokedAt: new Date(NOW.getTime() - 60_000), reason: 1 },
    ]);
    const err = (await validatePath(pilot.certificate, opts({ crls: [revoked] })).catch(
      (e: unknown) => e,
    )) as HelmlinkError;
    expect(err.code).toBe('ERR_CHAIN_REVOKED');
    expect(err.details).toMatchObject({
      serial: pilot.certificate.serialNumber.toLowerCase(),
      reason: 'keyCompromise',
    });
  });

  it('a signer on hold is revoked; released (absent from the newer CRL) it passes', async () => {
    const onHold = await pki.issuingCrl([
      { serial: pilot.certificate.serialNumber, revokedAt: new Date(NOW.getTime() - 60_000), reason: 6 },
    ]);
    const err = (await validatePath(pilot.certificate, opts({ crls: [onHold] })).catch(
      (e: unknown) => e,
    )) as HelmlinkError;
    expect(err.code).toBe('ERR_CHAIN_REVOKED');
    expect(err.details).toMatchObject({ reason: 'certificateHold' });
    const released = await pki.issuingCrl([]);
    // Both given: the newest (higher CRL number) decides.
    await expect(validatePath(pilot.certificate, opts({ crls: [onHold, released] }))).resolves.toBeDefined();
    await expect(validatePath(pilot.certificate, opts({ crls: [released, onHold] }))).resolves.toBeDefined();
  });

  it('a revoked intermediate fails through the root CRL (checked when given, in leaf mode too)', async () => {
    const rootCrl = await pki.rootCrl([
      {
        serial: pki.issuing.certificate.serialNumber,
        revokedAt: new Date(NOW.getTime() - 60_000),
        reason: 2,
      },
    ]);
    const err = (await validatePath(pilot.certificate, opts({ crls: [crl, rootCrl] })).catch(
      (e: unknown) => e,
    )) as HelmlinkError;
    expect(err.code).toBe('ERR_CHAIN_REVOKED');
    expect(err.details).toMatchObject({ subject: pki.issuing.certificate.subject, reason: 'cACompromise' });
    await expect(
      validatePath(
        pilot.certificate,
        opts({ crls: [crl, await pki.rootCrl([])], revocation: { mode: 'chain' } }),
      ),
    ).resolves.toBeDefined();
  });

  it('ERR_CRL_MISSING without the leaf CRL (leaf mode) or the root CRL (chain mode); off needs none', async () => {
    expect(await codeOf(validatePath(pilot.certificate, opts({ crls: [] })))).toBe('ERR_CRL_MISSING');
    expect(await codeOf(validatePath(pilot.certificate, opts({ revocation: { mode: 'chain' } })))).toBe(
      'ERR_CRL_MISSING',
    );
    await expect(
      validatePath(pilot.certificate, opts({ crls: [], revocation: { mode: 'off' } })),
    ).resolves.toBeDefined();
  });

  it('a stale CRL is used within the grace and refused after it (ERR_CRL_STALE)', async () => {
    const stale = await pki.issuingCrl([], {
      thisUpdate: new Date(NOW.getTime() - 2 * DAY),
      nextUpdate: new Date(NOW.getTime() - 3_600_000),
    });
    const within = await validatePath(
      pilot.certificate,
      opts({ crls: [stale], revocation: { mode: 'leaf', staleGraceSeconds: 7200 } }),
    );
    expect(within.validUntil.getTime()).toBe(NOW.getTime() + 3_600_000);
    expect(
      await codeOf(
        validatePath(
          pilot.certificate,
          opts({ crls: [stale], revocation: { mode: 'leaf', staleGraceSeconds: 1800 } }),
        ),
      ),
    ).toBe('ERR_CRL_STALE');
  });

  it('ERR_CRL_INVALID for a CRL signed by the wrong key or issued in the future', async () => {
    const wrongKeys = await generateTestKeyPair();
    const forged = await pki.issuingCrl([], {
      issuer: { certificate: pki.issuing.certificate, privateKey: wrongKeys.privateKey },
    });
    expect(await codeOf(validatePath(pilot.certificate, opts({ crls: [forged] })))).toBe('ERR_CRL_INVALID');
    const future = await pki.issuingCrl([], { thisUpdate: new Date(NOW.getTime() + 60_000) });
    expect(await codeOf(validatePath(pilot.certificate, opts({ crls: [future] })))).toBe('ERR_CRL_INVALID');
  });

  it('a CRL from an issuer with another name does not cover the leaf (ERR_CRL_MISSING)', async () => {
    const other = await createTestPki({ now: NOW, issuingName: { cn: 'Another Issuing CA' } });
    expect(await codeOf(validatePath(pilot.certificate, opts({ crls: [await other.issuingCrl([])] })))).toBe(
      'ERR_CRL_MISSING',
    );
    // Same key, another name written into the CRL: still not the issuer's CRL.
    const renamed = await customCrl({
      issuer: pki.issuing,
      issuerName: 'CN=Renamed CA',
      thisUpdate: new Date(NOW.getTime() - 60_000),
      nextUpdate: new Date(NOW.getTime() + DAY),
    });
    expect(await codeOf(validatePath(pilot.certificate, opts({ crls: [renamed] })))).toBe('ERR_CRL_MISSING');
  });

  it('ERR_CRL_CRITICAL_EXTENSION for an unknown critical CRL extension', async () => {
    const odd = await customCrl({
      issuer: pki.issuing,
      thisUpdate: new Date(NOW.getTime() - 60_000),
      nextUpdate: new Date(NOW.getTime() + DAY),
      extensions: [new x509.Extension('1.3.6.1.4.1.99999.2', true, new Uint8Array([0x05, 0x00]))],
    });
    expect(await codeOf(validatePath(pilot.certificate, opts({ crls: [odd] })))).toBe(
      'ERR_CRL_CRITICAL_EXTENSION',
    );
  });

  it('ERR_CRL_MALFORMED for a CRL whose CRL number is not an INTEGER', async () => {
    const bad = await customCrl({
      issuer: pki.issuing,
      thisUpdate: new Date(NOW.getTime() - 60_000),
      nextUpdate: new Date(NOW.getTime() + DAY),
      extensions: [new x509.Extension('2.5.29.20', false, new Uint8Array([0x04, 0x01, 0x07]))],
    });
    expect(await codeOf(validatePath(pilot.certificate, opts({ crls: [bad] })))).toBe('ERR_CRL_MALFORMED');
  });

  it('a CRL issuer without cRLSign cannot vouch for its certificates', async () => {
    const noCrlSign = await customCert(
      caParams('CA without cRLSign', pki.root, { keyUsage: x509.KeyUsageFlags.keyCertSign }),
    );
    const leaf = await customCert(leafParams('pilot-11', noCrlSign));
    const itsCrl = await buildCrl({
      issuer: noCrlSign,
      crlNumber: 1,
      thisUpdate: new Date(NOW.getTime() - 60_000),
      nextUpdate: new Date(NOW.getTime() + DAY),
      entries: [],
    });
    expect(
      await codeOf(
        validatePath(leaf.certificate, opts({ intermediates: [noCrlSign.certificate], crls: [itsCrl] })),
      ),
    ).toBe('ERR_CRL_INVALID');
  });

  it('applies a delta CRL on its base: a hold released by removeFromCRL passes, a delta revocation fails', async () => {
    const ext = (oid: string, critical: boolean, value: CRLNumber) =>
      new x509.Extension(oid, critical, AsnConvert.serialize(value));
    const window = {
      thisUpdate: new Date(NOW.getTime() - 60_000),
      nextUpdate: new Date(NOW.getTime() + DAY),
    };
    const base = await customCrl({
      issuer: pki.issuing,
      ...window,
      extensions: [ext('2.5.29.20', false, new CRLNumber(100))],
      entries: [
        {
          serialNumber: pilot.certificate.serialNumber,
          revocationDate: new Date(NOW.getTime() - DAY),
          reason: x509.X509CrlReason.certificateHold,
        },
      ],
    });
    const delta = (n: number, baseNumber: number, reason: x509.X509CrlReason) =>
      customCrl({
        issuer: pki.issuing,
        ...window,
        extensions: [
          ext('2.5.29.20', false, new CRLNumber(n)),
          ext('2.5.29.27', true, new BaseCRLNumber(baseNumber)),
        ],
        entries: [{ serialNumber: pilot.certificate.serialNumber, revocationDate: NOW, reason }],
      });
    expect(await codeOf(validatePath(pilot.certificate, opts({ crls: [base] })))).toBe('ERR_CHAIN_REVOKED');
    await expect(
      validatePath(
        pilot.certificate,
        opts({ crls: [base, await delta(101, 100, x509.X509CrlReason.removeFromCRL)] }),
      ),
    ).resolves.toBeDefined();
    // A delta for a newer base than the one held does not apply; the base decides.
    expect(
      await codeOf(
        validatePath(
          pilot.certificate,
          opts({ crls: [base, await delta(102, 101, x509.X509CrlReason.removeFromCRL)] }),
        ),
      ),
    ).toBe('ERR_CHAIN_REVOKED');
    // A delta alone decides nothing.
    expect(
      await codeOf(
        validatePath(
          pilot.certificate,
          opts({ crls: [await delta(101, 100, x509.X509CrlReason.removeFromCRL)] }),
        ),
      ),
    ).toBe('ERR_CRL_MISSING');
    const clean = await customCrl({
      issuer: pki.issuing,
      ...window,
      extensions: [ext('2.5.29.20', false, new CRLNumber(100))],
    });
    const err = (await validatePath(
      pilot.certificate,
      opts({ crls: [clean, await delta(101, 100, x509.X509CrlReason.keyCompromise)] }),
    ).catch((e: unknown) => e)) as HelmlinkError;
    expect(err.code).toBe('ERR_CHAIN_REVOKED');
    expect(err.details).toMatchObject({ reason: 'keyCompromise' });
  });
});
