/** `helmlink csr-check`: would the CA issue for this CSR? The same policy code as POST /ca/v1/enroll. */
import {
  defineCommand,
  EXIT_OK,
  EXIT_REJECTED,
  EXIT_USAGE,
  required,
  UsageError,
} from '@helmlink/protocol/node';
import { isHelmlinkError, ROLES, type EntityIdentity, type Role } from '@helmlink/protocol';
import { checkCsr, csrCommonName } from '../authority/csr';
import { abs } from './common';
import { readFileSync } from 'node:fs';

export const csrCheckCommand = defineCommand({
  name: 'csr-check',
  summary: 'Check a CSR against the CA policy (signature, key policy, subject, extensions)',
  usage: `
Usage: helmlink csr-check --csr FILE [--role ROLE] [--entity ID] [--json]

Applies the enrollment policy: a DER PKCS#10 request (minimal encodings, version 0, no extra elements), a
verifying signature with SHA-2/EdDSA (no MD5/SHA-1, also not inside RSASSA-PSS parameters) whose declared
algorithm fits the key, key ECDSA P-256/P-384, Ed25519 or RSA 3072/4096, subject of exactly one CN that is a valid
entity id (plus optionally O), and no requested extension except SAN URIs of the profile. With --role (and
--entity, default the CSR's CN) the check uses that identity as enrollment does: the CN must be the entity and its
profile URIs may be requested. Roles: ${ROLES.join(', ')}.
Exit codes: 0 would issue, 1 refused (reason code), 2 unreadable file or not a CSR.
`,
  options: {
    csr: { type: 'string' },
    role: { type: 'string' },
    entity: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, io }) {
    const file = required(values.csr, '--csr');
    if (values.role !== undefined && !ROLES.includes(values.role as Role))
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    let data: Buffer;
    try {
      data = readFileSync(abs(io, file));
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const input = data.toString('latin1').includes('-----BEGIN')
      ? data.toString('utf8')
      : new Uint8Array(data);
    try {
      // The identity to check against, as enrollment has it from the token: given, or the CSR's own CN.
      const entityId = values.entity ?? (values.role ? csrCommonName(input) : undefined);
      const identity: EntityIdentity | undefined =
        entityId !== undefined ? { entityId, roles: values.role ? [values.role as Role] : [] } : undefined;
      const checked = await checkCsr(input, identity);
      const out = {
        ok: true,
        entityId: checked.entityId,
        keySpec: checked.keySpec,
        ...(values.role ? { role: values.role } : {}),
      };
      io.stdout.write(
        values.json
          ? `${JSON.stringify(out)}\n`
          : `would issue: CN=${checked.entityId}, key ${checked.keySpec}\n`,
      );
      return EXIT_OK;
    } catch (err) {
      if (!isHelmlinkError(err)) throw err;
      if (values.json)
        io.stdout.write(`${JSON.stringify({ ok: false, code: err.code, message: err.message })}\n`);
      io.stderr.write(`helmlink csr-check: ${err.code}: ${err.message}\n`);
      return err.code === 'ERR_CSR_INVALID' ? EXIT_USAGE : EXIT_REJECTED;
    }
  },
});
