/**
 * The CSR policy against crafted requests (the same function as POST /ca/v1/enroll): every hole a lenient reader
 * leaves is replayed with a request that an attacker can sign, and each must end in its coded refusal.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCsr } from '../../src/authority/csr';

// --- a small DER writer for crafted requests ---------------------------------------------------------------------
const cat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
function len(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}
const tlv = (tag: number, ...content: Uint8Array[]): Uint8Array => {
  const c = cat(...content);
  return cat(Uint8Array.of(tag), len(c.length), c);
};
/** A TLV whose length is spelled in long form although it is short (BER, not DER). */
const longFormTlv = (tag: number, ...content: Uint8Array[]): Uint8Array => {
  const c = cat(...content);
  return cat(Uint8Array.of(tag, 0x81, c.length), c);
};
const oid = (hex: string): Uint8Array => tlv(0x06, Buffer.from(hex, 'hex'));
const utf8 = (s: string): Uint8Array => tlv(0x0c, Buffer.from(s, 'utf8'));

const OID_CN = '550403';
const ECDSA_SHA256 = tlv(0x30, oid('2a8648ce3d040302'));
const ED25519 = tlv(0x30, oid('2b6570'));
const SHA256_RSA = tlv(0x30, oid('2a864886f70d01010b'), Uint8Array.of(0x05, 0x00));

interface Craft {
  key: KeyObject;
  spki: Uint8Array;
  hash: string | null;
  sigAlg?: Uint8Array;
  version?: Uint8Array;
  name?: Uint8Array;
  infoTail?: Uint8Array[];
  requestTail?: Uint8Array[];
  unusedBits?: number;
  wrapInfo?: (tag: number, ...content: Uint8Array[]) => Uint8Array;
}

/** A CSR signed over exactly the bytes given (so the signature always verifies unless the test says otherwise). */
function craft(c: Craft): Uint8Array {
  const name = c.name ?? tlv(0x30, tlv(0x31, tlv(0x30, oid(OID_CN), utf8('mv-crafted'))));
  const info = (c.wrapInfo ?? tlv)(
    0x30,
    c.version ?? tlv(0x02, Uint8Array.of(0)),
    name,
    c.spki,
    Uint8Array.of(0xa0, 0x00),
    ...(c.infoTail ?? []),
  );
  const signature = new Uint8Array(sign(c.hash, info, c.key));
  return tlv(
    0x30,
    info,
    c.sigAlg ?? ECDSA_SHA256,
    tlv(0x03, Uint8Array.of(c.unusedBits ?? 0), signature),
    ...(c.requestTail ?? []),
  );
}

/** PEM, as an attacker posts it to POST /ca/v1/enroll. */
const pem = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;

async function codeOf(csr: string | Uint8Array): Promise<string> {
  try {
    await checkCsr(typeof csr === 'string' ? csr : pem(csr), { entityId: 'mv-crafted', roles: ['vessel'] });
    return 'accepted';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const spkiOf = (k: KeyObject): Uint8Array => new Uint8Array(k.export({ type: 'spki', format: 'der' }));
const base: Craft = { key: ec.privateKey, spki: spkiOf(ec.publicKey), hash: 'sha256' };

describe('CSR policy: DER mode and structure', () => {
  it('accepts the crafted baseline (so each refusal below is the change it makes)', async () => {
    expect(await codeOf(craft(base))).toBe('accepted');
  });

  it('refuses version 1 (or anything but v1 = 0)', async () => {
    expect(await codeOf(craft({ ...base, version: tlv(0x02, Uint8Array.of(1)) }))).toBe('ERR_CSR_INVALID');
  });

  it('refuses non-minimal DER: a long-form length and a padded integer', async () => {
    expect(await codeOf(craft({ ...base, wrapInfo: longFormTlv }))).toBe('ERR_CSR_INVALID');
    const name = longFormTlv(0x30, tlv(0x31, tlv(0x30, oid(OID_CN), utf8('mv-crafted'))));
    expect(await codeOf(craft({ ...base, name }))).toBe('ERR_CSR_INVALID');
    expect(await codeOf(craft({ ...base, version: tlv(0x02, Uint8Array.of(0, 0)) }))).toBe('ERR_CSR_INVALID');
  });

  it('refuses extra trailing elements in the request and in the request info', async () => {
    expect(await codeOf(craft({ ...base, requestTail: [utf8('extra')] }))).toBe('ERR_CSR_INVALID');
    expect(await codeOf(craft({ ...base, infoTail: [tlv(0xa1)] }))).toBe('ERR_CSR_INVALID');
  });

  it('refuses a second CN hidden inside a name attribute', async () => {
    const name = tlv(0x30, tlv(0x31, tlv(0x30, oid(OID_CN), utf8('mv-crafted'), utf8('admin'))));
    expect(await codeOf(craft({ ...base, name }))).toBe('ERR_CSR_INVALID');
  });

  it('refuses a signature BIT STRING with unused bits', async () => {
    expect(await codeOf(craft({ ...base, unusedBits: 1 }))).toBe('ERR_CSR_INVALID');
  });
});

describe('CSR policy: the declared algorithm', () => {
  it('refuses an ECDSA signature labelled sha256WithRSAEncryption', async () => {
    expect(await codeOf(craft({ ...base, sigAlg: SHA256_RSA }))).toBe('ERR_CSR_SIGNATURE');
  });

  it('refuses an Ed25519 signature labelled ecdsa-with-SHA256, and accepts it labelled Ed25519', async () => {
    const edBase: Craft = { key: ed.privateKey, spki: spkiOf(ed.publicKey), hash: null };
    expect(await codeOf(craft({ ...edBase, sigAlg: ECDSA_SHA256 }))).toBe('ERR_CSR_SIGNATURE');
    expect(await codeOf(craft({ ...edBase, sigAlg: ED25519 }))).toBe('accepted');
  });

  describe('RSASSA-PSS (OpenSSL-made requests)', () => {
    const work = mkdtempSync(join(tmpdir(), 'helmlink-csr-pss-'));
    const key = join(work, 'rsa.pem');
    beforeAll(() => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
      writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    });
    const pssCsr = (hash: string): string =>
      execFileSync(
        'openssl',
        [
          'req',
          '-new',
          '-key',
          key,
          '-subj',
          '/CN=mv-crafted',
          `-${hash}`,
          '-sigopt',
          'rsa_padding_mode:pss',
        ],
        { encoding: 'utf8' },
      );

    it('refuses SHA-1 inside the PSS parameters', async () => {
      expect(await codeOf(pssCsr('sha1'))).toBe('ERR_SIG_ALG_WEAK');
    });

    it('accepts PSS with SHA-256 (verified with exactly its parameters)', async () => {
      expect(await codeOf(pssCsr('sha256'))).toBe('accepted');
    });
  });
});
