/**
 * `helmlink ca revoke` and `helmlink ca release`: the CA's admin API over HTTPS with the administrator's own
 * identity (mutual TLS: no password crosses the network, the CA authorises the certificate's admin role), the CA
 * pinned by its root fingerprint. The admin key's passphrase comes from a file or the environment, never argv.
 */
import {
  HelmlinkError,
  REVOCATION_REASON_LIST,
  crlReason,
  decryptPrivateKey,
  encodePem,
  type RevocationReasonCode,
} from '@helmlink/protocol';
import {
  defineCommand,
  EXIT_OK,
  readInput,
  readPassphraseOption,
  required,
  UsageError,
  type CliIO,
} from '@helmlink/protocol/node';
import { CaClient } from '../ca-client';
import type { CertificateWire, CertStatus, StatusChangeResponse } from '../wire';

/** The environment variable that may hold the admin key's passphrase (as for `sign-command`). */
export const KEY_PASSPHRASE_ENV = 'HELMLINK_KEY_PASSPHRASE';

const CONNECTION_HELP = `Connection (the CA's admin API over HTTPS, mutual TLS with the administrator's identity):
  --ca-url URL             https:// address of the CA server
  --root-fingerprint HEX   SHA-256 of the fleet root certificate (as \`ca init\` printed it): the CA is trusted
                           only when it presents that root
  --cert FILE              the admin certificate (PEM, leaf first; \`ca init\` writes admin/ID.crt.pem)
  --key FILE               its private key (PKCS#8 PEM; admin/ID.key.pem is encrypted with the CA passphrase)
  --passphrase-file FILE   the key's passphrase (first line); or set ${KEY_PASSPHRASE_ENV}. Never on the command line.
  --timeout-ms N           per request (default 15000)`;

const TARGET_HELP = `Certificate (one of):
  --serial HEX             the certificate's serial number
  --entity ID              the entity's certificate (refused when it holds several: pass --serial)`;

const connectionOptions = {
  'ca-url': { type: 'string' },
  'root-fingerprint': { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'passphrase-file': { type: 'string' },
  'timeout-ms': { type: 'string' },
  serial: { type: 'string' },
  entity: { type: 'string' },
  json: { type: 'boolean' },
} as const;

interface ConnectionValues {
  'ca-url'?: string;
  'root-fingerprint'?: string;
  cert?: string;
  key?: string;
  'passphrase-file'?: string;
  'timeout-ms'?: string;
}

/**
 * The admin's CA client from the options: usage errors for what is missing or unreadable, ERR_KEY_DECRYPT when
 * the passphrase does not open the key (checked here, before any connection).
 */
export async function adminClient(io: CliIO, v: ConnectionValues): Promise<CaClient> {
  const url = required(v['ca-url'], '--ca-url');
  if (!/^https:\/\//u.test(url)) throw new UsageError(`--ca-url must be an https:// URL, not ${url}`);
  const rootFingerprint = required(v['root-fingerprint'], '--root-fingerprint');
  if (!/^(sha256:)?[0-9a-fA-F:]{64,95}$/u.test(rootFingerprint))
    throw new UsageError('--root-fingerprint must be a SHA-256 fingerprint (64 hex digits, colons allowed)');
  const clientCert = readInput(io, required(v.cert, '--cert'), 'certificate').toString('utf8');
  let clientKey = readInput(io, required(v.key, '--key'), 'key').toString('utf8');
  const encrypted = clientKey.includes('ENCRYPTED PRIVATE KEY');
  let passphrase: string | undefined;
  if (v['passphrase-file']) passphrase = readPassphraseOption(io, v['passphrase-file']);
  else if (io.env[KEY_PASSPHRASE_ENV] !== undefined) passphrase = io.env[KEY_PASSPHRASE_ENV];
  if (encrypted && !passphrase)
    throw new UsageError(`the key is encrypted: pass --passphrase-file FILE or set ${KEY_PASSPHRASE_ENV}`);
  if (encrypted) clientKey = encodePem('PRIVATE KEY', await decryptPrivateKey(clientKey, passphrase!));
  let timeoutMs: number | undefined;
  if (v['timeout-ms'] !== undefined) {
    timeoutMs = Number(v['timeout-ms']);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
      throw new UsageError('--timeout-ms must be a positive integer');
  }
  return new CaClient({
    url,
    rootFingerprint,
    clientCert,
    clientKey,
    ...(timeoutMs ? { timeoutMs } : {}),
    keepAlive: false,
    clientErrorCodes: true,
  });
}

/** The RFC 5280 reason a `--reason` names (its name, e.g. keyCompromise, or its code). */
export function parseReason(value: string): RevocationReasonCode {
  const byName = REVOCATION_REASON_LIST.find((r) => r.name.toLowerCase() === value.toLowerCase());
  if (byName) return byName.code;
  const byCode = /^\d{1,2}$/u.test(value)
    ? REVOCATION_REASON_LIST.find((r) => r.code === Number(value))
    : undefined;
  if (byCode) return byCode.code;
  throw new UsageError(
    `--reason must be one of ${REVOCATION_REASON_LIST.map((r) => `${r.name} (${r.code})`).join(', ')}`,
  );
}

/** The serial the options name: --serial as given, or the one certificate of --entity in one of `statuses`. */
async function targetSerial(
  ca: CaClient,
  v: { serial?: string; entity?: string },
  statuses: readonly CertStatus[],
): Promise<string> {
  if (v.serial !== undefined && v.entity !== undefined)
    throw new UsageError('pass --serial or --entity, not both');
  if (v.serial !== undefined) {
    if (!/^[0-9a-fA-F]{1,64}$/u.test(v.serial)) throw new UsageError('--serial must be a hex serial number');
    return v.serial.toLowerCase();
  }
  const entity = required(v.entity, '--serial or --entity');
  const { certificates } = await ca.listCertificates({ limit: 1000 });
  const mine = certificates.filter((c) => c.entityId === entity && statuses.includes(c.status));
  if (mine.length === 0)
    throw new HelmlinkError(
      'ERR_CERT_NOT_FOUND',
      `${entity} holds no certificate that is ${statuses.join(' or ')}`,
    );
  if (mine.length > 1)
    throw new UsageError(
      `${entity} holds ${mine.length} certificates (${mine.map((c) => c.serial).join(', ')}): pass --serial`,
    );
  return mine[0]!.serial;
}

function describeCertificate(c: CertificateWire): string {
  return `${c.serial} (${c.entityId}, ${c.roles.join('+')})`;
}

function report(io: CliIO, json: boolean | undefined, res: StatusChangeResponse, words: string): number {
  io.stdout.write(json ? `${JSON.stringify(res)}\n` : `${words}; CRL number ${res.crlNumber}\n`);
  return EXIT_OK;
}

/** Runs `use` with the admin client and always closes it. */
async function withAdmin<T>(io: CliIO, v: ConnectionValues, use: (ca: CaClient) => Promise<T>): Promise<T> {
  const ca = await adminClient(io, v);
  try {
    return await use(ca);
  } finally {
    ca.close();
  }
}

const EXIT_HELP = `Exit codes: 0 done, 1 refused (the CA's code and words: unknown serial, not an admin, revoked admin,
CA unreachable or not the pinned one, ...), 2 usage or unreadable input.`;

export const caRevokeCommand = defineCommand({
  name: 'ca revoke',
  summary: 'Revoke a certificate (or put it on hold) through the CA admin API, as an administrator',
  usage: `
Usage: helmlink ca revoke --ca-url URL --root-fingerprint HEX --cert FILE --key FILE [--passphrase-file FILE]
                          (--serial HEX | --entity ID) --reason REASON [--description TEXT] [--json]

Revokes the certificate with an RFC 5280 reason; the CA issues a new CRL at once (printed: its number), which
the broker, the vessels and the consoles then enforce. certificateHold (6) is reversible with \`ca release\`.

Reasons: ${REVOCATION_REASON_LIST.map((r) => `${r.name} (${r.code})`).join(', ')}.

${TARGET_HELP}

${CONNECTION_HELP}

${EXIT_HELP}

Example:
  HELMLINK_KEY_PASSPHRASE=… helmlink ca revoke --ca-url https://ca.fleet.example:8443 \\
    --root-fingerprint 3f2a… --cert admin/admin.crt.pem --key admin/admin.key.pem \\
    --entity IMO9074729 --reason keyCompromise --description "laptop stolen"
`,
  options: { ...connectionOptions, reason: { type: 'string' }, description: { type: 'string' } },
  async run({ values, io }) {
    const reason = parseReason(required(values.reason, '--reason'));
    if (values.description !== undefined && values.description.length > 500)
      throw new UsageError('--description is at most 500 characters');
    return withAdmin(io, values, async (ca) => {
      const serial = await targetSerial(ca, values, ['valid', 'hold']);
      const res = await ca.revoke({
        serial,
        reason,
        ...(values.description !== undefined ? { description: values.description } : {}),
      });
      const verb = reason === 6 ? 'on hold' : 'revoked';
      return report(
        io,
        values.json,
        res,
        `${verb}: ${describeCertificate(res.certificate)}, reason ${crlReason(reason)!.name}`,
      );
    });
  },
});

export const caReleaseCommand = defineCommand({
  name: 'ca release',
  summary: 'Release a certificate from hold (certificateHold) through the CA admin API, as an administrator',
  usage: `
Usage: helmlink ca release --ca-url URL --root-fingerprint HEX --cert FILE --key FILE [--passphrase-file FILE]
                           (--serial HEX | --entity ID) [--json]

Takes a certificate off hold (RFC 5280 removeFromCRL); the CA issues a new CRL without it at once. Only a
certificate on hold can be released (ERR_CERT_NOT_ON_HOLD otherwise): a revocation is final.

${TARGET_HELP}

${CONNECTION_HELP}

${EXIT_HELP}
`,
  options: connectionOptions,
  async run({ values, io }) {
    return withAdmin(io, values, async (ca) => {
      const serial = await targetSerial(ca, values, ['hold']);
      const res = await ca.release({ serial });
      return report(io, values.json, res, `released: ${describeCertificate(res.certificate)}`);
    });
  },
});
