import { describe, expect, it } from 'vitest';
import { validateCustody, validateSource } from '../../../src/screens/wizard/validate';

const good = {
  caUrl: 'https://ca.example.org:9443',
  rootFingerprint: `${'AB:'.repeat(31)}AB`,
  token: 'token-12345678',
  entityId: 'pilot-7',
  brokerUrl: '',
};
const noFiles = { main: null, chain: null };

describe('wizard validation', () => {
  it('accepts a complete enrollment form (fingerprint with colons, any case)', () => {
    expect(validateSource('enroll', good, noFiles)).toEqual({});
  });

  it('names every bad enrollment field in words', () => {
    const e = validateSource(
      'enroll',
      { caUrl: 'http://ca', rootFingerprint: 'abc', token: 'short', entityId: 'a/b', brokerUrl: 'tcp://x' },
      noFiles,
    );
    expect(Object.keys(e).sort()).toEqual(['brokerUrl', 'caUrl', 'entityId', 'rootFingerprint', 'token']);
    expect(e.caUrl).toMatch(/https:\/\//u);
    expect(e.rootFingerprint).toMatch(/64 hexadecimal digits/u);
  });

  it('needs the identity file (and the chain for PEM) when importing; CA fields are optional', () => {
    expect(validateSource('import', { format: 'pkcs12' }, noFiles)).toEqual({
      file: 'Choose the PKCS#12 (.p12/.pfx) file',
    });
    expect(Object.keys(validateSource('import', { format: 'pem' }, noFiles)).sort()).toEqual([
      'chain',
      'file',
    ]);
    const file = new Blob(['x']) as File;
    expect(
      validateSource('import', { format: 'pem', caUrl: 'https://ca' }, { main: file, chain: file }),
    ).toEqual({});
  });

  it('requires a confirmed passphrase of 8+ characters for passphrase-only custody', () => {
    expect(validateCustody('passphrase', '', '')).toHaveProperty('passphrase');
    expect(validateCustody('passphrase', 'short', 'short')).toHaveProperty('passphrase');
    expect(validateCustody('passphrase', 'long enough', 'long enougH')).toEqual({
      confirm: 'The two passphrases differ',
    });
    expect(validateCustody('passphrase', 'long enough', 'long enough')).toEqual({});
    expect(validateCustody('keychain', '', '')).toEqual({});
  });
});
