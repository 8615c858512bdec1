import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicAsync } from '../../src/node/atomic-file';

const dir = () => mkdtempSync(join(tmpdir(), 'helmlink-atomic-'));
const umask = process.umask();
afterEach(() => {
  process.umask(umask);
});

describe('writeFileAtomic', () => {
  it('replaces the content and leaves no temporary file, durable or not', () => {
    const d = dir();
    const file = join(d, 'state.json');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, new TextEncoder().encode('two'), { durable: false });
    expect(readFileSync(file, 'utf8')).toBe('two');
    writeFileAtomic(file, 'x'.repeat(3_000_000));
    expect(readFileSync(file, 'utf8')).toHaveLength(3_000_000);
    expect(readdirSync(d)).toEqual(['state.json']);
  });

  it('sets the mode exactly: 0600 by default, wider ones despite a strict umask, narrower on an existing file', () => {
    const d = dir();
    process.umask(0o077);
    writeFileAtomic(join(d, 'key.pem'), 'k');
    writeFileAtomic(join(d, 'crl.pem'), 'c', { mode: 0o644 });
    expect(statSync(join(d, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, 'crl.pem')).mode & 0o777).toBe(0o644);
    writeFileAtomic(join(d, 'crl.pem'), 'c2', { mode: 0o600 });
    expect(statSync(join(d, 'crl.pem')).mode & 0o777).toBe(0o600);
  });

  it('keeps the old file and removes its temporary file when the rename fails', () => {
    const d = dir();
    const target = join(d, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'old');
    expect(() => writeFileAtomic(target, 'new')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/u);
    expect(readdirSync(d)).toEqual(['taken']);
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('old');
  });

  it('fails without side effects when the folder does not exist', () => {
    const d = dir();
    expect(() => writeFileAtomic(join(d, 'missing', 'f'), 'x')).toThrow(/ENOENT/u);
    expect(readdirSync(d)).toEqual([]);
  });
});

describe('writeFileAtomicAsync', () => {
  it('replaces the content with the exact mode and leaves no temporary file', async () => {
    const d = dir();
    process.umask(0o077);
    const file = join(d, 'crl.pem');
    await writeFileAtomicAsync(file, 'one', { mode: 0o644 });
    await writeFileAtomicAsync(file, new TextEncoder().encode('two'), { mode: 0o644, durable: false });
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    await writeFileAtomicAsync(join(d, 'key.pem'), 'k');
    expect(statSync(join(d, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(readdirSync(d).sort()).toEqual(['crl.pem', 'key.pem']);
  });

  it('keeps the old file and removes its temporary file when the rename fails', async () => {
    const d = dir();
    const target = join(d, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'old');
    await expect(writeFileAtomicAsync(target, 'new')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/u);
    expect(readdirSync(d)).toEqual(['taken']);
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('old');
  });
});
