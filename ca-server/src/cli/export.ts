/** `helmlink ca export`: a human-readable JSON listing of issued certificates. */
import { existsSync, writeFileSync } from 'node:fs';
import { defineCommand, EXIT_OK, required } from '@helmlink/protocol/node';
import { readCheckpointFile } from '../authority/checkpoint';
import { caPaths } from '../authority/files';
import { recordView } from '../authority/issue';
import { abs, withCaStore } from './common';

export const caExportCommand = defineCommand({
  name: 'ca export',
  summary: 'Write a JSON listing of issued certificates',
  usage: `
Usage: helmlink ca export --dir DIR [--out FILE]

Writes {"auditCheckpoint": the latest signed audit checkpoint, "certificates": [{serial, entityId, roles, subject, notBefore, notAfter, status, revokedAt, reason, ...}]}
(pretty-printed) to FILE or stdout. Exit codes: 0 written, 2 usage.
`,
  options: { dir: { type: 'string' }, out: { type: 'string' } },
  async run({ values, io }) {
    return withCaStore(io, required(values.dir, '--dir'), (store) => {
      const certificates = store.listCertificates({ limit: 10_000_000 }).map(recordView);
      // The latest signed audit checkpoint travels with the export (verify with --checkpoint).
      const file = caPaths(abs(io, values.dir!)).auditCheckpoint;
      const auditCheckpoint = existsSync(file) ? readCheckpointFile(file) : null;
      const text = `${JSON.stringify({ exportedAt: new Date().toISOString(), auditCheckpoint, certificates }, null, 2)}\n`;
      if (values.out) writeFileSync(abs(io, values.out), text, { mode: 0o644 });
      else io.stdout.write(text);
      return EXIT_OK;
    });
  },
});
