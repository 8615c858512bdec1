/** `helmlink ca audit verify`: the audit log's hash chain, its signed checkpoint and the certificates table. */
import { existsSync } from 'node:fs';
import { isHelmlinkError, parseCertificate } from '@helmlink/protocol';
import { defineCommand, EXIT_OK, EXIT_REJECTED, required, UsageError } from '@helmlink/protocol/node';
import { checkpointSignatureValid, readCheckpointFile, type AuditCheckpoint } from '../authority/checkpoint';
import { caPaths } from '../authority/files';
import { compareWithLog } from '../store/audit-replay';
import { verifyAuditChain } from '../store/sqlite';
import type { AuditEntry, CaStore } from '../store/types';
import { abs, readText, withCaStore } from './common';

type Verdict =
  | { ok: true; count: number; head: string; checkpoint: { seq: number; at: string }; certificates: number }
  | { ok: false; reason: string; brokenAt?: number };

/** The checkpoint's own checks: signed by the issuing CA, and the log still has that head at that position. */
function checkCheckpoint(
  entries: readonly AuditEntry[],
  cp: AuditCheckpoint,
  issuingPem: string,
): string | undefined {
  if (!checkpointSignatureValid(cp, parseCertificate(issuingPem)))
    return 'the checkpoint is not signed by this CA’s issuing key';
  if (cp.seq > entries.length)
    return `the log ends at entry ${entries.length}, before the signed checkpoint at entry ${cp.seq} (entries were deleted)`;
  if (entries[cp.seq - 1]!.hash !== cp.head)
    return `entry ${cp.seq} is not the one the signed checkpoint covers (the log was rewritten)`;
  return undefined;
}

function verify(store: CaStore, issuingPem: string, cp: AuditCheckpoint | undefined): Verdict {
  const entries = store.listAudit();
  const chain = verifyAuditChain(entries);
  if (!chain.ok)
    return { ok: false, reason: `entry ${chain.brokenAt}: ${chain.reason}`, brokenAt: chain.brokenAt };
  if (!cp) return { ok: false, reason: 'no signed checkpoint: the chain alone proves nothing about its end' };
  const bad = checkCheckpoint(entries, cp, issuingPem);
  if (bad) return { ok: false, reason: bad };
  const certificates = store.listCertificates({ limit: Number.MAX_SAFE_INTEGER });
  const problems = compareWithLog(entries, certificates);
  if (problems.length > 0) return { ok: false, reason: problems.join('; ') };
  return {
    ok: true,
    count: chain.count,
    head: chain.head,
    checkpoint: { seq: cp.seq, at: new Date(cp.at).toISOString() },
    certificates: certificates.length,
  };
}

export const caAuditVerifyCommand = defineCommand({
  name: 'ca audit verify',
  summary: 'Verify the CA audit log: hash chain, signed checkpoint, certificates table',
  usage: `
Usage: helmlink ca audit verify --dir DIR [--checkpoint FILE] [--json]

Recomputes every entry's SHA-256 link, checks the log against a checkpoint signed with the issuing CA key (by
default DIR/audit-checkpoint.json; --checkpoint takes one kept elsewhere: the JSON from the alert webhook or the
export, or a CRL, which carries the checkpoint of its time) and replays the log against the certificates table.
Detects deleted last entries, a rewritten entry with recomputed hashes and a status changed in the table.
Use a checkpoint from outside the CA directory: whoever can write the database may also roll back the file.
Exit codes: 0 intact, 1 tampered (ERR_AUDIT_TAMPERED and why), 2 usage or unreadable input.
`,
  options: { dir: { type: 'string' }, checkpoint: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const dir = abs(io, required(values.dir, '--dir'));
    const paths = caPaths(dir);
    const file = values.checkpoint ? abs(io, values.checkpoint) : paths.auditCheckpoint;
    let cp: AuditCheckpoint | undefined;
    if (values.checkpoint || existsSync(file)) {
      try {
        cp = readCheckpointFile(file);
      } catch (err) {
        if (isHelmlinkError(err)) throw new UsageError(`${file}: ${err.message}`);
        throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    }
    const issuingPem = readText(io, paths.issuingCert, 'issuing CA certificate');
    return withCaStore(io, dir, (store) => {
      const result = verify(store, issuingPem, cp);
      if (values.json)
        io.stdout.write(
          `${JSON.stringify(result.ok ? result : { ...result, code: 'ERR_AUDIT_TAMPERED' })}\n`,
        );
      if (result.ok) {
        if (!values.json)
          io.stdout.write(
            `audit log intact: ${result.count} entries, head ${result.head}, signed checkpoint at entry ${result.checkpoint.seq}, ${result.certificates} certificates as the log says\n`,
          );
        return EXIT_OK;
      }
      io.stderr.write(`helmlink ca audit verify: ERR_AUDIT_TAMPERED: ${result.reason}\n`);
      return EXIT_REJECTED;
    });
  },
});
