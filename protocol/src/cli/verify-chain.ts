/**
 * `helmlink verify-chain`: RFC 5280 path validation with CRLs of one certificate, from files.
 *
 * Exit codes: 0 valid, 1 invalid (reason code on stderr, and in the JSON with --json), 2 usage or unreadable input.
 */
import '../reflect';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError } from '../errors';
import type { CrlInfo } from '../pki/crl';
import { parseCrlDer } from '../pki/crl-parse';
import { decodePem, parseCertificates, type PemBlock } from '../pki/pem';
import type { Purpose, RevocationPolicy } from '../pki/types';
import { validatePath } from '../pki/validate';
import {
  defineCommand,
  EXIT_OK,
  EXIT_REJECTED,
  pemOrDer,
  readInput,
  required,
  UsageError,
  type CliIO,
} from '../node/cli-kit';

const PURPOSES: readonly Purpose[] = ['clientAuth', 'serverAuth', 'any'];

/** True for an empty or white-space-only file (a harness writing "no intermediates" / "no CRLs"). */
function isBlank(data: Buffer): boolean {
  return data.toString('latin1').trim() === '';
}

function readCerts(io: CliIO, path: string, what: string, allowEmpty = false): x509.X509Certificate[] {
  try {
    const data = readInput(io, path, what);
    if (allowEmpty && isBlank(data)) return [];
    return parseCertificates(pemOrDer(data));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot parse ${what} ${path}: ${(err as Error).message}`);
  }
}

/**
 * CRLs through the one-pass parser (a CRL of 100,000 entries costs milliseconds, not seconds). A file without
 * any CRL is a usage error (exit 2); a CRL that is there but malformed is a verdict (ERR_CRL_MALFORMED, exit 1):
 * revocation cannot be decided from it.
 */
function readCrlFile(io: CliIO, path: string): CrlInfo[] {
  const data = readInput(io, path, 'CRL');
  if (isBlank(data)) return [];
  const input = pemOrDer(data);
  // DER starts with a SEQUENCE tag; anything else without PEM blocks holds no CRL.
  const ders =
    typeof input === 'string'
      ? decodePemBlocks(input, path)
          .filter((b) => b.label === 'X509 CRL' || b.label === 'CRL')
          .map((b) => b.der)
      : input[0] === 0x30
        ? [input]
        : [];
  if (ders.length === 0)
    throw new UsageError(`cannot parse CRL ${path}: no CRL found (expected PEM X509 CRL or DER)`);
  return ders.map(parseCrlDer);
}

function decodePemBlocks(text: string, path: string): PemBlock[] {
  try {
    return decodePem(text);
  } catch (err) {
    throw new UsageError(`cannot parse CRL ${path}: ${(err as Error).message}`);
  }
}

/** Parses an RFC 3339 date-time; any number of fractional digits (truncated to milliseconds). */
export function parseTime(value: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/u.exec(value);
  const ms = m
    ? Date.parse(`${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}${m[4]!.toUpperCase()}`)
    : Number.NaN;
  if (Number.isNaN(ms))
    throw new UsageError(`--time must be an RFC 3339 time, e.g. 2026-11-22T03:00:00.5Z (got ${value})`);
  return new Date(ms);
}

function describeCert(c: x509.X509Certificate): Record<string, string> {
  return {
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serialNumber.toLowerCase(),
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
  };
}

export const verifyChainCommand = defineCommand({
  name: 'verify-chain',
  summary: 'Validate a certificate path with CRLs (RFC 5280) from files',
  usage: `
Usage: helmlink verify-chain --roots FILE --leaf FILE [--intermediates FILE] [--crl FILE]...
                             [--time RFC3339] [--purpose clientAuth|serverAuth|any] [--json]
                             [--crl-check leaf|chain] [--crl-grace SECONDS]

Builds a path from the leaf to one of the roots (trying alternatives; a self-signed certificate among the
intermediates is never trusted) and validates it per RFC 5280 section 6: signatures with accepted algorithms
only (ECDSA P-256/P-384 + SHA-2, Ed25519, RSA >= 2048 PKCS#1 v1.5/PSS + SHA-2), validity at --time, name
chaining, basicConstraints and pathLenConstraint, keyUsage, extended key usage for --purpose, no unknown critical
extension, and revocation from the given CRLs (signature by the issuer or its CRL signing certificate, issuer
name, scope, thisUpdate/nextUpdate, reason codes incl. certificateHold, delta CRLs on a matching base).

Options:
  --roots FILE          trust anchors: PEM (several CERTIFICATE blocks allowed) or one DER certificate
  --leaf FILE           the certificate to validate (PEM or DER); further certificates in the same PEM file
                        are used as untrusted intermediates
  --intermediates FILE  untrusted intermediate CA certificates (PEM, several allowed, or DER; an empty file
                        means none)
  --crl FILE            CRLs (PEM "X509 CRL" blocks, several allowed, or one DER CRL; an empty file holds
                        none); repeatable. With any --crl, revocation is checked: the leaf's CRL is required
                        (fail closed: ERR_CRL_MISSING) and an intermediate is checked when a CRL from its
                        issuer is given. Without --crl, no revocation check is made.
  --crl-check MODE      leaf (default with --crl, as above) or chain: every certificate below the root must be
                        covered by a CRL (like openssl -crl_check_all)
  --crl-grace SECONDS   how long past its nextUpdate a CRL is still used (default 0); then ERR_CRL_STALE
  --time RFC3339        verification time, fractional seconds allowed (default: now)
  --purpose P           clientAuth or serverAuth: the Helmlink signer rules (the leaf's EKU must contain the
                        purpose; CA:TRUE leaves refused; digitalSignature required when keyUsage is present).
                        any (default): generic RFC 5280 validation as PKITS expects it (no EKU or key usage
                        requirement on the end entity, which may also be a CA certificate).
  --json                print the result as JSON on stdout (valid or not)
  -h, --help            this text

Output: "valid" and the path (leaf first, root last); with --json {"valid":true,"chain":[...],...} or
{"valid":false,"code":"ERR_...","message":"...","details":{...}}. The reason code of a rejection is always
printed on stderr as "helmlink verify-chain: ERR_...: message".

Exit codes: 0 valid, 1 invalid (a coded reason, ERR_CERT_MALFORMED included for a certificate whose extensions
cannot be decoded), 2 usage error or unreadable input (a file that holds no certificate or CRL at all).

Example:
  helmlink verify-chain --roots root.pem --intermediates issuing.pem --leaf pilot.pem \\
    --crl issuing.crl --crl root.crl --purpose clientAuth --time 2026-11-22T03:00:00.250Z --json
`,
  options: {
    roots: { type: 'string' },
    leaf: { type: 'string' },
    intermediates: { type: 'string' },
    crl: { type: 'string', multiple: true },
    'crl-check': { type: 'string' },
    'crl-grace': { type: 'string' },
    time: { type: 'string' },
    purpose: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async ({ values, io }) => {
    const trustAnchors = readCerts(io, required(values.roots, '--roots'), 'roots');
    const [leaf, ...leafExtras] = readCerts(io, required(values.leaf, '--leaf'), 'leaf');
    const intermediates = [
      ...leafExtras,
      ...(values.intermediates ? readCerts(io, values.intermediates, 'intermediates', true) : []),
    ];
    const crls = (values.crl ?? []).flatMap((path) => readCrlFile(io, path));
    const purpose = (values.purpose ?? 'any') as Purpose;
    if (!PURPOSES.includes(purpose)) throw new UsageError(`--purpose must be one of ${PURPOSES.join(', ')}`);
    const check = values['crl-check'] ?? 'leaf';
    if (check !== 'leaf' && check !== 'chain') throw new UsageError('--crl-check must be leaf or chain');
    const grace = values['crl-grace'] === undefined ? 0 : Number(values['crl-grace']);
    if (!Number.isFinite(grace) || grace < 0)
      throw new UsageError('--crl-grace must be a non-negative number of seconds');
    const time = values.time !== undefined ? parseTime(values.time) : new Date();
    // Any --crl (even an empty file) turns revocation checking on: fail closed rather than silently unchecked.
    const revocation: RevocationPolicy =
      values.crl !== undefined ? { mode: check, staleGraceSeconds: grace } : { mode: 'off' };

    try {
      const path = await validatePath(leaf!, {
        trustAnchors,
        intermediates,
        crls,
        time,
        purpose,
        revocation,
        // "any" is generic RFC 5280 validation: no signer-specific rules on the end entity.
        allowCaLeaf: purpose === 'any',
        leafKeyUsage: purpose === 'any' ? [] : ['digitalSignature'],
      });
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify(
            {
              valid: true,
              chain: path.chain.map(describeCert),
              leafFingerprint: path.leafFingerprint,
              validFrom: path.validFrom.toISOString(),
              validUntil: path.validUntil.toISOString(),
              identity: path.identity ?? null,
              revocation: revocation.mode,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        io.stdout.write(`valid\n${path.chain.map((c, i) => `  ${i}: ${c.subject}`).join('\n')}\n`);
      }
      return EXIT_OK;
    } catch (err) {
      if (!(err instanceof HelmlinkError)) throw err;
      if (values.json) io.stdout.write(`${JSON.stringify({ valid: false, ...err.toJSON() }, null, 2)}\n`);
      io.stderr.write(`helmlink verify-chain: ${err.code}: ${err.message}\n`);
      return EXIT_REJECTED;
    }
  },
});
