/**
 * Revocation status of one certificate of a path (RFC 5280 6.3.3, direct CRLs): the candidate CRLs are those
 * whose issuer name equals the certificate's issuer name; each complete CRL in scope must be signed by a
 * verified CRL issuer, carry no refusal (crl-parse.ts) and be current; the newest of each scope is used, with
 * the newest usable delta CRL on top; the union of the scopes' reasons must cover every reason. The CRL issuer
 * is the certificate's issuer or another certificate with the same name and cRLSign whose own path is validated
 * the same way (separate CRL signing keys, 6.3.3 (f)).
 */
import { HelmlinkError, isHelmlinkError } from '../errors';
import { rawId } from './chain';
import { type Ctx, describe, fail } from './context';
import {
  ALL_REASONS,
  checkCrlTime,
  type CrlInfo,
  crlScope,
  deltaReleases,
  isDelta,
  lookupEntry,
  newerFirst,
} from './crl';
import { type CertInfo, KU } from './extensions';
import { crlVerifiedBy, keyHandle } from './signature';

const MAX_SIGNER_DEPTH = 3;

function preferError(errors: HelmlinkError[]): HelmlinkError | undefined {
  const rank = (e: HelmlinkError): number => {
    switch (e.code) {
      case 'ERR_CRL_STALE':
        return 0;
      case 'ERR_CRL_CRITICAL_EXTENSION':
      case 'ERR_CRL_PROFILE':
        return 1;
      case 'ERR_CHAIN_ALG_UNSUPPORTED':
        return 3;
      case 'ERR_CRL_INVALID':
        return 4;
      default:
        return 5;
    }
  };
  let best: HelmlinkError | undefined;
  for (const e of errors) if (!best || rank(e) < rank(best)) best = e;
  return best;
}

/** The complete CRLs in scope for `cert` that are usable, grouped by scope; errors of the others. */
async function usableCompleteCrls(
  cert: CertInfo,
  issuer: CertInfo,
  all: readonly CrlInfo[],
  errors: HelmlinkError[],
  ctx: Ctx,
) {
  const groups = new Map<string, { crl: CrlInfo; mask: number }[]>();
  let inScope = false;
  for (const crl of all) {
    if (isDelta(crl)) continue;
    const mask = crlScope(cert, crl);
    if (mask === 0) continue;
    inScope = true;
    try {
      await checkCrlUsable(crl, issuer, ctx);
    } catch (err) {
      if (!isHelmlinkError(err)) throw err;
      errors.push(err);
      continue;
    }
    const list = groups.get(crl.scopeKey);
    if (list) list.push({ crl, mask });
    else groups.set(crl.scopeKey, [{ crl, mask }]);
  }
  return { groups, inScope };
}

/** The newest usable delta CRL for `base` (null when deltas exist but none is usable, undefined when none exist). */
async function usableDelta(
  base: CrlInfo,
  scope: string,
  all: readonly CrlInfo[],
  issuer: CertInfo,
  errors: HelmlinkError[],
  ctx: Ctx,
): Promise<CrlInfo | null | undefined> {
  if (base.number === undefined) return undefined;
  const deltas = all.filter(
    (d) =>
      isDelta(d) &&
      d.scopeKey === scope &&
      d.deltaBase! <= base.number! &&
      d.number !== undefined &&
      d.number > base.number!,
  );
  if (deltas.length === 0) return undefined;
  deltas.sort(newerFirst);
  for (const d of deltas) {
    try {
      await checkCrlUsable(d, issuer, ctx);
      return d;
    } catch (err) {
      if (!isHelmlinkError(err)) throw err;
      errors.push(err);
    }
  }
  return null;
}

/**
 * The revocation status of `cert` (issued by `issuer` in the path being validated). Throws ERR_CHAIN_REVOKED,
 * or a CRL error when the status cannot be determined and a check is required (or a CRL for it was given).
 */
export async function checkRevocation(
  cert: CertInfo,
  issuer: CertInfo,
  required: boolean,
  ctx: Ctx,
): Promise<{ from: number; until: number }> {
  const window = { from: -Infinity, until: Infinity };
  const all = ctx.crlsByIssuer.get(cert.issuerKey) ?? [];
  const errors: HelmlinkError[] = [];
  const { groups, inScope } = await usableCompleteCrls(cert, issuer, all, errors, ctx);
  if (!inScope && !required) return window;
  let covered = 0;
  for (const [scope, list] of groups) {
    list.sort((a, b) => newerFirst(a.crl, b.crl));
    const { crl: base, mask } = list[0]!;
    const delta = await usableDelta(base, scope, all, issuer, errors, ctx);
    // Newer revocation information exists but none of it is usable: this scope is undetermined.
    if (delta === null) continue;
    for (const used of delta ? [base, delta] : [base]) {
      if (used.thisUpdate > window.from) window.from = used.thisUpdate;
      const horizon = used.nextUpdate! + ctx.graceMs;
      if (horizon < window.until) window.until = horizon;
    }
    const entry =
      delta && delta.entries.has(cert.serial)
        ? deltaReleases(delta, cert.serial)
          ? undefined
          : lookupEntry(delta, cert.serial)
        : lookupEntry(base, cert.serial);
    if (entry) {
      throw fail('ERR_CHAIN_REVOKED', `${describe(cert)} is revoked (${entry.reason})`, cert, {
        serial: cert.serial,
        reason: entry.reason,
      });
    }
    covered |= mask;
  }
  if ((covered & ALL_REASONS) !== ALL_REASONS) {
    const best = preferError(errors);
    if (best) throw best;
    throw fail('ERR_CRL_MISSING', `no usable CRL covers ${describe(cert)}`, cert);
  }
  return window;
}

/** Signature (by a verified CRL issuer), refusal reasons and time window of a CRL used for a certificate of `issuer`. */
async function checkCrlUsable(crl: CrlInfo, issuer: CertInfo, ctx: Ctx): Promise<void> {
  if (crl.scheme instanceof HelmlinkError) throw crl.scheme;
  let bySigner = ctx.signerMemo.get(crl);
  if (!bySigner) {
    bySigner = new Map();
    ctx.signerMemo.set(crl, bySigner);
  }
  let signer = bySigner.get(issuer);
  if (!signer) {
    signer = resolveCrlSigner(crl, issuer, ctx);
    bySigner.set(issuer, signer);
  }
  await signer;
  if (crl.refusal) throw crl.refusal;
  checkCrlTime(crl, ctx.time, ctx.graceMs);
}

/** The certificates that may have signed `crl`: the issuer in the path first, then others with its name. */
function signerCandidates(crl: CrlInfo, issuer: CertInfo, ctx: Ctx): CertInfo[] {
  const seen = new Set<string>([rawId(issuer)]);
  const others: CertInfo[] = [];
  for (const c of [...ctx.anchors.bySubject(crl.issuerKey), ...ctx.intermediates.bySubject(crl.issuerKey)]) {
    const id = rawId(c);
    if (seen.has(id)) continue;
    seen.add(id);
    others.push(c);
  }
  const rank = (c: CertInfo): number =>
    crl.akiKeyId === undefined || c.ski === undefined ? 1 : crl.akiKeyId === c.ski ? 0 : 2;
  others.sort((a, b) => rank(a) - rank(b));
  return [issuer, ...others];
}

async function resolveCrlSigner(crl: CrlInfo, issuer: CertInfo, ctx: Ctx): Promise<void> {
  const scheme = crl.scheme;
  if (scheme instanceof HelmlinkError) throw scheme;
  let firstError: HelmlinkError | undefined;
  // The CRL verified with a separate signer whose own path failed: that says more than the key mismatches before it.
  let signerError: HelmlinkError | undefined;
  const note = (e: HelmlinkError): void => {
    firstError ??= e;
  };
  for (const candidate of signerCandidates(crl, issuer, ctx)) {
    if (candidate.keyUsage !== undefined && !(candidate.keyUsage & KU.cRLSign)) {
      note(
        new HelmlinkError(
          'ERR_CRL_INVALID',
          `the CRL of ${crl.issuer} cannot be verified: ${describe(candidate)} lacks cRLSign`,
        ),
      );
      continue;
    }
    try {
      keyHandle(candidate);
    } catch (err) {
      if (!isHelmlinkError(err)) throw err;
      note(err);
      continue;
    }
    const pending = crlVerifiedBy(crl, candidate, scheme, ctx.budget);
    if (pending === undefined) break;
    if (!(await pending)) {
      note(
        new HelmlinkError(
          'ERR_CRL_INVALID',
          `the signature of the CRL of ${crl.issuer} does not verify with the key of ${describe(candidate)}`,
        ),
      );
      continue;
    }
    if (candidate === issuer || ctx.anchorSet.has(rawId(candidate)) || ctx.inProgress.has(candidate)) return;
    if (ctx.depth >= MAX_SIGNER_DEPTH) continue;
    // A separate CRL signing certificate: its own path must validate (RFC 5280 6.3.3 (f)).
    // A fresh memo: the outer resolution of this CRL is still pending and must not be awaited from inside.
    const sub: Ctx = {
      ...ctx,
      depth: ctx.depth + 1,
      signerMemo: new Map(),
      inProgress: new Set([...ctx.inProgress, candidate]),
    };
    try {
      await ctx.validateSigner(candidate, sub);
      return;
    } catch (err) {
      if (!isHelmlinkError(err)) throw err;
      signerError ??= new HelmlinkError(
        'ERR_CRL_INVALID',
        `the CRL signer ${describe(candidate)} is not valid: ${err.code}: ${err.message}`,
        { cause: err },
      );
    }
  }
  if (ctx.budget.exhausted)
    throw new HelmlinkError(
      'ERR_CHAIN_TOO_COMPLEX',
      'the work budget of path validation ran out while verifying CRL signers',
    );
  throw (
    signerError ??
    firstError ??
    new HelmlinkError('ERR_CRL_INVALID', `no valid signer for the CRL of ${crl.issuer}`)
  );
}
