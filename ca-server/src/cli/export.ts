/** `helmlink ca export`: a human-readable JSON listing of issued certificates. */
import { writeFileSync } from 'node:fs';
import { defineCommand, EXIT_OK, required } from '@helmlink/protocol/node';
import { recordView } from '../authority/issue';
import { abs, withCaStore } from './common';

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
    return withCaStore(io, required(values.dir, '--dir'), (store) => {
      const certificates = store.listCertificates({ limit: 10_000_000 }).map(recordView);
      const text = `${JSON.stringify({ exportedAt: new Date().toISOString(), certificates }, null, 2)}\n`;
      if (values.out) writeFileSync(abs(io, values.out), text, { mode: 0o644 });
      else io.stdout.write(text);
      return EXIT_OK;
    });
  },
});
