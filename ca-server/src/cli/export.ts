/** `helmlink ca export`: a human-readable JSON listing of issued certificates. */
import { existsSync, writeFileSync } from 'node:fs';
import { defineCommand, EXIT_OK, required, UsageError } from '@helmlink/protocol/node';
import { caPaths } from '../authority/files';
import { recordView } from '../authority/issue';
import { SqliteStore } from '../store/sqlite';
import { abs } from './common';

export const caExportCommand = defineCommand({
  name: 'ca export',
  summary: 'Write a JSON listing of issued certificates',
  usage: `
Usage: helmlink ca export --dir DIR [--out FILE]

Writes {"certificates": [{serial, entityId, roles, subject, notBefore, notAfter, status, revokedAt, reason, ...}]}
(pretty-printed) to FILE or stdout. Exit codes: 0 written, 2 usage.
`,
  options: { dir: { type: 'string' }, out: { type: 'string' } },
  async run({ values, io }) {
    const dir = abs(io, required(values.dir, '--dir'));
    const db = caPaths(dir).db;
    if (!existsSync(db)) throw new UsageError(`no CA store in ${dir}`);
    const store = new SqliteStore(db);
    try {
      const certificates = store.listCertificates({ limit: 10_000_000 }).map(recordView);
      const text = `${JSON.stringify({ exportedAt: new Date().toISOString(), certificates }, null, 2)}\n`;
      if (values.out) writeFileSync(abs(io, values.out), text, { mode: 0o644 });
      else io.stdout.write(text);
      return EXIT_OK;
    } finally {
      store.close();
    }
  },
});
