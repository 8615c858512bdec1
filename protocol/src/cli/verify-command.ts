/**
 * `helmlink verify-command`: verifies a signed command token the way a vessel does, offline.
 *
 * Exit codes: 0 accepted (claims JSON on stdout), 1 rejected (reason code on stdout, code and message on stderr),
 * 2 usage or unreadable input.
 */
import { resolve } from 'node:path';
import '../reflect';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError, isHelmlinkError } from '../errors';
import { parseCertificates, parseCrls } from '../pki/pem';
import { parseCatalogJson } from '../catalog/parse';
import type { StreamCatalog } from '../catalog/types';
import { createTrust } from '../envelope/trust';
import { verifyCommand } from '../envelope/verify';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../vocabulary/algorithms';
import { assertAlgorithms } from '../envelope/header';
import { MemoryReplayStore } from '../replay/snapshot';
import type { ReplayStore } from '../replay/types';
import { FileReplayStore } from '../node/replay-file';
import {
  defineCommand,
  EXIT_OK,
  EXIT_REJECTED,
  pemOrDer,
  readInput,
  readStream,
  required,
  UsageError,
  type CliIO,
} from '../node/cli-kit';

/** Reads certificates (PEM, possibly several, or DER); UsageError when none can be parsed. */
export function readCertificates(io: CliIO, path: string, what: string): x509.X509Certificate[] {
  let certs: x509.X509Certificate[];
  try {
    certs = parseCertificates(pemOrDer(readInput(io, path, what)));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot parse ${what} ${path}: ${(err as Error).message}`);
  }
  if (certs.length === 0) throw new UsageError(`${what} ${path} holds no certificate`);
  return certs;
}

/** Parses an RFC 3339 time (fractional seconds allowed); UsageError otherwise. */
export function parseRfc3339(value: string, option: string): number {
  const re = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/u;
  const ms = Date.parse(value.replace(' ', 'T'));
  if (!re.test(value) || Number.isNaN(ms))
    throw new UsageError(`${option} must be an RFC 3339 time, e.g. 2026-11-22T03:00:00Z`);
  return ms;
}

function readCatalog(io: CliIO, path: string): StreamCatalog {
  try {
    return parseCatalogJson(readInput(io, path, 'catalog').toString('utf8'));
  } catch (err) {
    if (isHelmlinkError(err)) throw new UsageError(`${err.code}: ${err.message}`);
    throw err;
  }
}

export const verifyCommandCommand = defineCommand({
  name: 'verify-command',
  summary: 'Verify a signed command token as a vessel would (offline, with replay state)',
  usage: `
Usage: helmlink verify-command --roots FILE --intermediates FILE [--crl FILE]... --audience VESSEL_ID
                               [--catalog FILE] [--now RFC3339] [--state FILE] (--token-file FILE | -)

Verifies a helmlink-cmd+jwt token: size (16 KiB max), header (typ, alg allow-list, no jku/x5u/jwk/kid/crit),
the x5c chain to a trust anchor from --roots (never a root inside x5c), revocation, the signature, the claims
(iss = signer certificate CN, aud = --audience, exp/nbf/iat with tolerance, lifetime <= 5 min), the signer's
pilot role, the command schema, the catalog partition (with --catalog), and replay (with --state).

Options:
  --roots FILE          trust anchors (PEM, several allowed, or DER)
  --intermediates FILE  intermediate CA certificates: the issuing CA (x5c carries only the signer certificate)
  --crl FILE            a CRL (PEM or DER; repeatable). With --crl the signer's CRL is required (fail closed);
                        intermediates are checked when a CRL from their issuer is given. Without: no revocation.
  --crl-grace S         seconds a CRL is still used past its nextUpdate (default 0)
  --audience ID         this vessel's id (the required aud)
  --catalog FILE        stream catalog JSON ({"streams":[...]}): the command must list every stream exactly once
  --now RFC3339         verification time (default: the system clock); fractional seconds allowed
  --tolerance S         clock tolerance for exp/nbf/iat in seconds (default 30)
  --alg LIST            allowed algorithms, comma-separated (default ${JWS_ALGORITHMS.join(',')}; never none/HS*)
  --state FILE          file replay store (created when missing): a token accepted once is rejected (ERR_REPLAY)
                        the next time. Without it, nothing is remembered between runs.
  --token-file FILE     the token (or '-' for stdin)
  -                     read the token from stdin

Exit codes: 0 accepted (claims JSON on stdout), 1 rejected (reason code on stdout, details on stderr),
2 usage or unreadable input.

Example:
  helmlink sign-command --key pilot.key --cert pilot.pem --audience vessel-1 \\
    --on 239.192.0.1:60001 --off 239.192.0.2:60002 |
    helmlink verify-command --roots root.pem --intermediates issuing.pem --audience vessel-1 -
`,
  options: {
    roots: { type: 'string' },
    intermediates: { type: 'string' },
    crl: { type: 'string', multiple: true },
    'crl-grace': { type: 'string' },
    audience: { type: 'string' },
    catalog: { type: 'string' },
    now: { type: 'string' },
    tolerance: { type: 'string' },
    alg: { type: 'string' },
    state: { type: 'string' },
    'token-file': { type: 'string' },
  },
  allowPositionals: true,
  run: async ({ values, positionals, io }) => {
    const audience = required(values.audience, '--audience');
    const rootsPath = required(values.roots, '--roots');
    if (positionals.some((p) => p !== '-') || positionals.length > 1)
      throw new UsageError(`unexpected argument ${positionals.find((p) => p !== '-') ?? '-'}`);
    const fromStdin = positionals.includes('-') || values['token-file'] === '-';
    if (fromStdin === (values['token-file'] !== undefined && values['token-file'] !== '-'))
      throw new UsageError('give exactly one of --token-file FILE or -');

    const trustAnchors = readCertificates(io, rootsPath, 'roots');
    const intermediates = values.intermediates
      ? readCertificates(io, values.intermediates, 'intermediates')
      : [];
    const crls = (values.crl ?? []).flatMap((path) => {
      try {
        return parseCrls(pemOrDer(readInput(io, path, 'CRL')));
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError(`cannot parse CRL ${path}: ${(err as Error).message}`);
      }
    });
    if (values.crl && crls.length === 0) throw new UsageError('the --crl files hold no CRL');
    const grace = values['crl-grace'] === undefined ? 0 : Number(values['crl-grace']);
    const tolerance = values.tolerance === undefined ? 30 : Number(values.tolerance);
    if (!Number.isFinite(grace) || grace < 0) throw new UsageError('--crl-grace must be a number of seconds');
    if (!Number.isFinite(tolerance) || tolerance < 0)
      throw new UsageError('--tolerance must be a number of seconds');
    let algorithms: readonly JwsAlgorithm[] = JWS_ALGORITHMS;
    if (values.alg !== undefined) {
      try {
        algorithms = assertAlgorithms(values.alg.split(',').map((a) => a.trim()));
      } catch (err) {
        throw new UsageError(`--alg: ${(err as Error).message}`);
      }
    }
    const catalog = values.catalog ? readCatalog(io, values.catalog) : undefined;
    const nowMs = values.now !== undefined ? parseRfc3339(values.now, '--now') : Date.now();
    const token = fromStdin
      ? await readStream(io.stdin)
      : readInput(io, values['token-file']!, 'token file').toString('utf8');

    let replay: ReplayStore = new MemoryReplayStore();
    let fileStore: FileReplayStore | undefined;
    if (values.state !== undefined) {
      try {
        fileStore = FileReplayStore.open(resolve(io.cwd, values.state), nowMs / 1000);
      } catch (err) {
        throw new UsageError(`cannot open the replay state ${values.state}: ${(err as Error).message}`);
      }
      replay = fileStore;
    }
    const trust = createTrust({
      trustAnchors,
      intermediates,
      crls,
      revocation: crls.length > 0 ? { mode: 'leaf', staleGraceSeconds: grace } : { mode: 'off' },
      chainCache: false,
    });
    try {
      const verified = await verifyCommand(token.trim(), {
        trust,
        clock: () => nowMs,
        algorithms,
        clockToleranceSeconds: tolerance,
        audience,
        replay,
        ...(catalog ? { catalog } : {}),
      });
      io.stdout.write(`${JSON.stringify(verified.claims, null, 2)}\n`);
      return EXIT_OK;
    } catch (err) {
      if (!(err instanceof HelmlinkError)) throw err;
      io.stdout.write(`${err.code}\n`);
      io.stderr.write(`helmlink verify-command: ${err.code}: ${err.message}\n`);
      return EXIT_REJECTED;
    } finally {
      fileStore?.close();
    }
  },
});
