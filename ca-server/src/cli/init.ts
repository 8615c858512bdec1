/** `helmlink ca init`: create the root and issuing CA (or the issuing CA's CSR for an external root). */
import { defineCommand, EXIT_OK, required, UsageError } from '@helmlink/protocol/node';
import { isKeySpec, KEY_SPECS } from '@helmlink/protocol';
import { initAuthority } from '../authority/init';
import { abs, PASSPHRASE_HELP, readPassphrase } from './common';

export const caInitCommand = defineCommand({
  name: 'ca init',
  summary: 'Create an offline root CA and an issuing CA (or a CSR for an external root)',
  usage: `
Usage: helmlink ca init --dir DIR [--org NAME] [--key-alg ALG] [--external-root] [--admin-id ID] [--host NAME]... [--passphrase-file FILE] [--json]

Creates in DIR: the root CA (self-signed), the issuing CA it signs, the CA service identity (HTTPS and CRL
publishing), the first admin identity (admin/ID.key.pem encrypted with the CA passphrase, admin/ID.crt.pem),
the SQLite store and the first CRLs. Prints the admin identity's paths and the root fingerprint to pin.
With --external-root, only the issuing CA's key and CSR (issuing.csr.pem) are written: have your root sign it,
then run 'helmlink ca import-intermediate'.

  --key-alg   ${KEY_SPECS.join(' | ')} (default ecdsa-p256)
  --host      host name or address of the CA service certificate (repeatable; default localhost 127.0.0.1 ::1)

${PASSPHRASE_HELP}
Exit codes: 0 created, 1 refused (e.g. ERR_CA_EXISTS, ERR_PASSPHRASE_REQUIRED), 2 usage.
`,
  options: {
    dir: { type: 'string' },
    org: { type: 'string' },
    'key-alg': { type: 'string' },
    'external-root': { type: 'boolean' },
    'admin-id': { type: 'string' },
    host: { type: 'string', multiple: true },
    'passphrase-file': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, io }) {
    const dir = abs(io, required(values.dir, '--dir'));
    const keyAlg = values['key-alg'] ?? 'ecdsa-p256';
    if (!isKeySpec(keyAlg)) throw new UsageError(`--key-alg must be one of ${KEY_SPECS.join(', ')}`);
    const passphrase = readPassphrase(io, values['passphrase-file']);
    const result = await initAuthority({
      dir,
      passphrase,
      keyAlg,
      ...(values.org ? { org: values.org } : {}),
      ...(values['external-root'] ? { externalRoot: true } : {}),
      ...(values['admin-id'] ? { adminId: values['admin-id'] } : {}),
      ...(values.host?.length ? { serverHosts: values.host } : {}),
    });
    if (values.json) io.stdout.write(`${JSON.stringify({ dir, ...result })}\n`);
    else if (result.state === 'pending-intermediate') {
      io.stdout.write(
        `Issuing CA key and CSR written. Have your root sign ${result.issuingCsrPath}, then run:\n  helmlink ca import-intermediate --dir ${dir} --cert SIGNED.pem --root ROOT.pem\n`,
      );
    } else {
      io.stdout.write(
        `CA created in ${dir}\nRoot fingerprint (SHA-256): ${result.rootFingerprint}\nAdmin key:         ${result.adminKeyPath} (encrypted with the CA passphrase)\nAdmin certificate: ${result.adminCertPath}\n`,
      );
    }
    return EXIT_OK;
  },
});
