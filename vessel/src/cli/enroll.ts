/** `helmlink vessel enroll --config FILE (--token-file FILE | --token-file - | HELMLINK_ENROLL_TOKEN)` */
import {
  defineCommand,
  readSecretInput,
  refuseSecretArgument,
  required,
  EXIT_OK,
  type SecretInputOptions,
} from '@helmlink/protocol/node';
import { readPassphrase } from '../config';
import { loadConfigForCli } from './config';
import { enrollVessel } from '../identity/enroll';

const TOKEN_INPUT = {
  option: '--token-file',
  envName: 'HELMLINK_ENROLL_TOKEN',
  what: 'enrollment token',
} as const satisfies Omit<SecretInputOptions, 'file'>;

export const vesselEnrollCommand = defineCommand({
  name: 'vessel enroll',
  summary:
    'Generate the vessel key, enroll with a one-time token at the CA (pinned by root fingerprint), store chain and CRL',
  usage: `
Usage: helmlink vessel enroll --config FILE (--token-file FILE | --token-file -) [--force] [--json]
       HELMLINK_ENROLL_TOKEN=… helmlink vessel enroll --config FILE [--force] [--json]

  --config FILE       vessel config (JSON; see docs/vessel.md and resources/vessel.example.json)
  --token-file FILE   file holding the one-time enrollment token issued by a CA admin for this vessel id (role
                      vessel); '-' reads it from stdin. Or set HELMLINK_ENROLL_TOKEN instead.
  --force             replace the key and certificate of an already enrolled data folder
  --json              print the result as JSON

The token never goes on the command line: process arguments are readable by every local user
(/proc/PID/cmdline), and whoever enrolls first with the token becomes the vessel. --token is refused.

Generates a key (config key.alg, default ECDSA P-256), stores it encrypted (PKCS#8, PBES2) in the data dir with the
passphrase from the env variable or file named in key.passphrase, sends a CSR with the token over HTTPS to ca.url
(the server must chain to the root whose SHA-256 is ca.rootFingerprint), and stores cert.pem, root.pem and crl.pem.
A data folder that is already enrolled is refused (ERR_ALREADY_ENROLLED) unless --force, and so is one a running
listener uses (ERR_VESSEL_LOCKED); the token is not spent then.

Exit codes: 0 enrolled, 1 refused (reason code printed, e.g. ERR_ENROLL_TOKEN_USED, ERR_SERVER_UNTRUSTED),
2 usage, unreadable or invalid config (ERR_CONFIG_INVALID names the field).
`,
  options: {
    config: { type: 'string' },
    'token-file': { type: 'string' },
    // Accepted by the parser only to refuse it with a clear message.
    token: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ values, io }) {
    const input = { ...TOKEN_INPUT, file: values['token-file'] };
    refuseSecretArgument(values.token, '--token', input);
    const config = await loadConfigForCli(required(values.config, '--config'));
    const token = await readSecretInput(io, input);
    const passphrase = await readPassphrase(config, io.env);
    const r = await enrollVessel(config, token, passphrase, { force: values.force ?? false });
    const out = {
      vesselId: r.vesselId,
      serial: r.serial,
      notAfter: r.notAfter.toISOString(),
      fingerprint: r.fingerprint,
      crls: r.crls,
      dataDir: config.dataDir,
    };
    io.stdout.write(
      values.json
        ? `${JSON.stringify(out)}\n`
        : `enrolled ${out.vesselId}: serial ${out.serial}, valid until ${out.notAfter}, ${out.crls} CRL(s) cached in ${out.dataDir}\n`,
    );
    return EXIT_OK;
  },
});
