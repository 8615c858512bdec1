/**
 * The certificate view (extensions.ts, general-names.ts): hostile encodings are coded rejections
 * (ERR_CERT_MALFORMED), never crashes, and a well-formed certificate with thousands of names parses.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import { certInfo } from '../../src/pki/extensions';
import { validatePath, type ValidatePathOptions } from '../../src/pki/validate';
import {
  ext,
  type Forged,
  forgedPathOptions,
  forgeLeaf,
  forgeRoot,
  type GeneralNameSpec,
  OIDS,
} from './forge';
import { rejection } from './helpers';

let root: Forged;
const opts = (): ValidatePathOptions => forgedPathOptions([root]);

beforeAll(async () => {
  root = await forgeRoot('Extensions Root');
});

describe('hostile extension encodings', () => {
  it('a subjectAltName that is not DER (ASCII bytes) is ERR_CERT_MALFORMED, not a crash', async () => {
    const leaf = await forgeLeaf('leaf', root, {
      san: { oid: OIDS.san, value: new TextEncoder().encode('example.com') },
    });
    const r = await rejection(validatePath(leaf.certificate, opts()));
    expect(r.code).toBe('ERR_CERT_MALFORMED');
    expect(r.message).toContain('cannot be parsed');
  });

  it('truncated, empty or unknown-tag general names are ERR_CERT_MALFORMED', async () => {
    for (const value of [
      new Uint8Array([0x30, 0x05, 0x82, 0x07, 0x61]),
      new Uint8Array([0x30, 0x00]),
      new Uint8Array([0x30, 0x02, 0x89, 0x00]),
      new Uint8Array([0x30, 0x03, 0x82, 0x01, 0x80]),
    ]) {
      const leaf = await forgeLeaf('leaf', root, { san: { oid: OIDS.san, value } });
      expect((await rejection(validatePath(leaf.certificate, opts()))).code).toBe('ERR_CERT_MALFORMED');
    }
  });

  it('malformed name constraints on a CA are ERR_CERT_MALFORMED (the CA cannot be part of a path)', async () => {
    const bad = await forgeRoot('Bad NC Root', {
      extra: [{ oid: OIDS.nc, critical: true, value: new Uint8Array([0x30, 0x03, 0xa2, 0x01, 0x00]) }],
    });
    expect(() => certInfo(bad.certificate)).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_MALFORMED' }) as Error,
    );
  });
});

describe('large certificates', () => {
  it('a well-formed leaf with 2,048 subjectAltNames (directory names among them) parses and validates', async () => {
    const names: GeneralNameSpec[] = [];
    for (let i = 0; i < 2048; i++)
      names.push(
        i % 2 === 0
          ? { dns: `host-${i}.example.com` }
          : {
              dn: [
                ['O', 'Fleet'],
                ['CN', `unit-${i}`],
              ],
            },
      );
    const leaf = await forgeLeaf('leaf', root, { san: { oid: OIDS.san, value: ext.generalNames(names) } });
    expect(certInfo(leaf.certificate).san).toHaveLength(2048);
    const path = await validatePath(leaf.certificate, opts());
    expect(path.chain).toHaveLength(2);
  });
});
