/** `helmlink ca import-intermediate`: install the issuing CA certificate signed by an external root. */
import { defineCommand, EXIT_OK, required } from '@helmlink/protocol/node';
import { importIntermediate } from '../authority/init';
import { abs, PASSPHRASE_HELP, readPassphrase, readText } from './common';

export const caImportIntermediateCommand = defineCommand({
  name: 'ca import-intermediate',
  summary: 'Install the issuing CA certificate signed by an external root',
  usage: `
Usage: helmlink ca import-intermediate --dir DIR --cert FILE --root FILE [--admin-id ID] [--passphrase-file FILE] [--json]

After 'helmlink ca init --external-root': checks that FILE certifies this CA's issuing key as a CA and is signed
by the root in --root, then finishes the setup (service and admin identities, store, CRLs).

${PASSPHRASE_HELP}
Exit codes: 0 installed, 1 refused (wrong key, not a CA, bad signature), 2 usage or unreadable input.
`,
  options: {
    dir: { type: 'string' },
    cert: { type: 'string' },
    root: { type: 'string' },
    'admin-id': { type: 'string' },
    'passphrase-file': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, io }) {
    const dir = abs(io, required(values.dir, '--dir'));
    const certificatePem = readText(io, required(values.cert, '--cert'), 'certificate');
    const rootPem = readText(io, required(values.root, '--root'), 'root certificate');
    const passphrase = readPassphrase(io, values['passphrase-file']);
    const result = await importIntermediate({
      dir,
      passphrase,
      certificatePem,
      rootPem,
      ...(values['admin-id'] ? { adminId: values['admin-id'] } : {}),
    });
    if (values.json) io.stdout.write(`${JSON.stringify({ dir, ...result })}\n`);
    else
      io.stdout.write(
        `Issuing CA installed in ${dir}\nRoot fingerprint (SHA-256): ${result.rootFingerprint}\nAdmin key: ${result.adminKeyPath}\nAdmin certificate: ${result.adminCertPath}\n`,
      );
    return EXIT_OK;
  },
});
