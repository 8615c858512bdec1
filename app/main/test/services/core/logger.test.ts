import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/services/core/logger';

describe('service logger', () => {
  it('redacts secret-bearing fields at any logged depth', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ level: 'info', destination });
    log.info(
      {
        passphrase: 'hunter2',
        request: { token: 'enroll-abc', keyPem: '-----BEGIN', filePassphrase: 'p12' },
        deep: { a: { privateKey: 'k' } },
      },
      'enroll',
    );
    const text = lines.join('');
    for (const secret of ['hunter2', 'enroll-abc', '-----BEGIN', 'p12', '"k"'])
      expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});
