/** Key custody: removal of the identity, its files and its key. */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { opensslEncryptedPem } from '../../helpers/openssl';
import { createTestPki, type TestPki } from '@helmlink/protocol/testing';
import { codeOf, tempDir, testServices } from '../../helpers/console';

const NOW = new Date('2026-11-22T02:00:00Z');
const PASS = 'bridge watch 4 ever';

let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki({ now: NOW });
});

describe('removal', () => {
  it('removes the identity and its files', async () => {
    const dir = tempDir();
    const entity = await pki.issue('pilot-rm', ['pilot']);
    const files = await opensslEncryptedPem(dir, entity, pki, 'x');
    const s = await testServices(join(dir, 'data'), NOW);
    await s.identity.import({
      format: 'pem',
      ...files,
      filePassphrase: 'x',
      custody: 'passphrase',
      passphrase: PASS,
    });
    expect((await s.identity.remove()).state).toBe('none');
    expect(existsSync(join(dir, 'data', 'identity'))).toBe(false);
    expect(await codeOf(s.identity.signer())).toBe('ERR_IDENTITY_MISSING');
    await s.close();
  });
});
