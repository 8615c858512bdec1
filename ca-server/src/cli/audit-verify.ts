/** `helmlink ca audit verify`: check the audit log's hash chain. */
import { defineCommand, EXIT_OK, EXIT_REJECTED, required } from '@helmlink/protocol/node';
import { verifyAuditChain } from '../store/sqlite';
import { withCaStore } from './common';

export const caAuditVerifyCommand = defineCommand({
  name: 'ca audit verify',
  summary: 'Verify the hash chain of the CA audit log (detects tampering)',
  usage: `
Usage: helmlink ca audit verify --dir DIR [--json]

Recomputes every entry's SHA-256 link. Exit codes: 0 intact, 1 broken (ERR_AUDIT_TAMPERED, first bad entry), 2 usage.
`,
  options: { dir: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    return withCaStore(io, required(values.dir, '--dir'), (store) => {
      const result = verifyAuditChain(store.listAudit());
      if (values.json)
        io.stdout.write(
          `${JSON.stringify(result.ok ? result : { ...result, code: 'ERR_AUDIT_TAMPERED' })}\n`,
        );
      if (result.ok) {
        if (!values.json) io.stdout.write(`audit log intact: ${result.count} entries, head ${result.head}\n`);
        return EXIT_OK;
      }
      io.stderr.write(
        `helmlink ca audit verify: ERR_AUDIT_TAMPERED: entry ${result.brokenAt}: ${result.reason}\n`,
      );
      return EXIT_REJECTED;
    });
  },
});
