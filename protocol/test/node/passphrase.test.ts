import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processIO, readPassphraseOption, UsageError } from '../../src/node/cli-kit';
import { passphraseFromFile, readPassphraseFile } from '../../src/node/passphrase';

describe('passphrase files', () => {
  it('hold the passphrase on their first line, without the LF or CRLF; every other character counts', () => {
    expect(passphraseFromFile('secret', 'f')).toBe('secret');
    expect(passphraseFromFile('secret\n', 'f')).toBe('secret');
    expect(passphraseFromFile('secret\r\nsecond line\n', 'f')).toBe('secret');
    expect(passphraseFromFile('  spaced out \t\n', 'f')).toBe('  spaced out \t');
  });

  it('refuse an empty first line, an empty file and an unreadable file with ERR_PASSPHRASE_REQUIRED', () => {
    const dir = mkdtempSync(join(tmpdir(), 'helmlink-pass-'));
    writeFileSync(join(dir, 'empty-line'), '\nsecond');
    writeFileSync(join(dir, 'empty'), '');
    writeFileSync(join(dir, 'ok'), 'from file\nignored');
    expect(readPassphraseFile(join(dir, 'ok'))).toBe('from file');
    expect(() => readPassphraseFile(join(dir, 'empty-line'))).toThrowError(
      expect.objectContaining({
        code: 'ERR_PASSPHRASE_REQUIRED',
        message: expect.stringMatching(/is empty/u),
      }),
    );
    expect(() => readPassphraseFile(join(dir, 'empty'))).toThrowError(
      expect.objectContaining({ code: 'ERR_PASSPHRASE_REQUIRED' }),
    );
    expect(() => readPassphraseFile(join(dir, 'nope'))).toThrowError(
      expect.objectContaining({
        code: 'ERR_PASSPHRASE_REQUIRED',
        message: expect.stringMatching(/cannot read .* ENOENT/u),
      }),
    );
  });

  it('as a CLI option: relative to the cwd, an unreadable file is a usage error (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'helmlink-pass-'));
    writeFileSync(join(dir, 'pass'), 'cli secret\r\n');
    const io = { ...processIO(), cwd: dir };
    expect(readPassphraseOption(io, 'pass')).toBe('cli secret');
    expect(() => readPassphraseOption(io, 'nope')).toThrow(UsageError);
  });
});
