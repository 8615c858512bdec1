import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, keySpecOf } from '../../src/keys';
import { readEncryptedKeyFile, writeEncryptedKeyFile } from '../../src/node/keyfile';

describe('encrypted key files', () => {
  it('writes owner-only files and reads them back', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'helmlink-keyfile-')), 'k.pem');
    const pair = await generateKeyPair('ecdsa-p384');
    await writeEncryptedKeyFile(file, pair.privateKey, 'pw');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keySpecOf(await readEncryptedKeyFile(file, 'pw'))).toBe('ecdsa-p384');
    await expect(readEncryptedKeyFile(file, 'nope')).rejects.toMatchObject({ code: 'ERR_KEY_DECRYPT' });
  });
});
