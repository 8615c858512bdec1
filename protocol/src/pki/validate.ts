/**
 * RFC 5280 certification path validation with CRLs (section 6), on @peculiar/x509 parsing and WebCrypto.
 *
 * `validatePath(leaf, options)` builds candidate paths from the leaf to one of the injected trust anchors
 * (chain.ts) and runs the basic path validation on each until one passes:
 *  - per certificate, from the anchor down: name chaining, accepted signature algorithm and issuer key, signature
 *    over the exact TBS bytes, validity at the injected time, no unknown critical extension;
 *  - CA certificates: v3 with basicConstraints cA TRUE, pathLenConstraint (self-issued certificates are not
 *    counted, RFC 5280 6.1.4 (l)/(m)), keyCertSign when keyUsage is present, EKU (when present) compatible with
 *    the purpose;
 *  - the end entity: not a CA (unless allowed), the required key usages when keyUsage is present, EKU for the
 *    purpose, an accepted public key;
 *  - revocation (crl.ts) per the policy, after the structure of the whole path is known to be sound. The CRL
 *    issuer is the certificate's issuer or another certificate with the same name and cRLSign whose own path is
 *    validated the same way (separate CRL signing keys, RFC 5280 6.3.3 (f)).
 * The error of the most plausible failing path is thrown as a HelmlinkError with a stable code.
 */
import '../reflect';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError, isHelmlinkError, type ErrorCode } from '../errors';
import { PublicKeyHandle, signatureScheme } from './algorithms';
import { buildPaths, type CandidatePath, IssuerIndex, keyIdRank, rawId } from './chain';
import { ALL_REASONS, checkCrlTime, crlInfo, type CrlInfo, crlScope, deltaReleases, isDelta, lookupEntry, newerFirst } from './crl';
import { type CertInfo, certInfo, fingerprint, isCa, KU, type KeyUsageName, OID_ANY_EKU } from './extensions';
import { type EntityIdentity, OID_CLIENT_AUTH, OID_SERVER_AUTH, readIdentity } from './profile';
import type { PathValidationOptions, Purpose, ValidatedPath } from './types';

/** Options beyond the shared contract; every one has a secure default. */
export interface ValidatePathOptions extends PathValidationOptions {
  /**
   * Key usages the end entity must have when it carries a keyUsage extension. Default ['digitalSignature']
   * (Helmlink leaves sign commands and acks). PKITS-style generic validation passes [].
   */
  leafKeyUsage?: readonly KeyUsageName[];
  /** Accept an end entity with basicConstraints cA TRUE. Default false: a CA key never signs commands. */
  allowCaLeaf?: boolean;
  /** Accept anyExtendedKeyUsage in place of the purpose's EKU. Default false. */
  acceptAnyExtendedKeyUsage?: boolean;
  /** Maximum certificates in a path below the anchor. Default 8. */
  maxDepth?: number;
}

/** A validated path, with the start of its validity window (for caches). */
export interface ValidatedPathResult extends ValidatedPath {
  /** The latest notBefore along the path and the latest CRL thisUpdate used. */
  validFrom: Date;
}

const PURPOSE_EKU: Record<Exclude<Purpose, 'any'>, string> = { clientAuth: OID_CLIENT_AUTH, serverAuth: OID_SERVER_AUTH };
const MAX_SIGNER_DEPTH = 3;
/** Upper bound on complete candidate paths checked per validatePath call, CRL signer paths included. */
const MAX_PATH_CHECKS = 128;

type Role = 'end-entity' | 'crl-signer';

interface Ctx {
  time: number;
  graceMs: number;
  purpose: Purpose;
  mode: 'off' | 'leaf' | 'chain';
  leafKeyUsage: number;
  allowCaLeaf: boolean;
  acceptAnyEku: boolean;
  maxDepth: number;
  anchors: IssuerIndex;
  anchorSet: Set<string>;
  intermediates: IssuerIndex;
  crlsByIssuer: Map<string, CrlInfo[]>;
  signerMemo: Map<CrlInfo, Map<CertInfo, Promise<void>>>;
  inProgress: Set<CertInfo>;
  depth: number;
  /** Complete paths still allowed to be checked in this whole validation, CRL signer paths included (shared). */
  budget: { paths: number };
}

const keyHandles = new WeakMap<CertInfo, PublicKeyHandle | HelmlinkError>();
const certSignatures = new WeakMap<CertInfo, WeakMap<CertInfo, Promise<boolean>>>();
const crlSignatures = new WeakMap<CrlInfo, WeakMap<CertInfo, Promise<boolean>>>();

/** The accepted public key of a certificate (cached), or ERR_CHAIN_ALG_UNSUPPORTED. */
function keyHandle(info: CertInfo): PublicKeyHandle {
  let handle = keyHandles.get(info);
  if (!handle) {
    try {
      handle = new PublicKeyHandle(info.asn.tbsCertificate.subjectPublicKeyInfo);
    } catch (err) {
      if (!(err instanceof HelmlinkError)) throw err;
      handle = err;
    }
    keyHandles.set(info, handle);
  }
  if (handle instanceof HelmlinkError) throw handle;
  return handle;
}

function memo<K extends object>(table: WeakMap<K, WeakMap<CertInfo, Promise<boolean>>>, subject: K, issuer: CertInfo, run: () => Promise<boolean>): Promise<boolean> {
  let inner = table.get(subject);
  if (!inner) {
    inner = new WeakMap();
    table.set(subject, inner);
  }
  let result = inner.get(issuer);
  if (!result) {
    result = run();
    inner.set(issuer, result);
  }
  return result;
}

function describe(info: CertInfo): string {
  return `"${info.cert.subject}"`;
}

function fail(code: ErrorCode, message: string, info: CertInfo, details: Record<string, unknown> = {}): HelmlinkError {
  return new HelmlinkError(code, message, { details: { subject: info.cert.subject, serial: info.serial, ...details } });
}

async function verifyCertSignature(cert: CertInfo, issuer: CertInfo): Promise<void> {
  const asn = cert.asn;
  if (asn.tbsCertificate.signature.algorithm !== asn.signatureAlgorithm.algorithm) {
    throw fail('ERR_CHAIN_SIGNATURE', `the signature algorithm of ${describe(cert)} differs from the one inside its signed part`, cert);
  }
  let scheme;
  try {
    scheme = signatureScheme(asn.signatureAlgorithm);
  } catch (err) {
    if (isHelmlinkError(err)) throw fail(err.code, `${describe(cert)}: ${err.message}`, cert, err.details);
    throw err;
  }
  let key: PublicKeyHandle;
  try {
    key = keyHandle(issuer);
  } catch (err) {
    if (isHelmlinkError(err)) throw fail(err.code, `issuer ${describe(issuer)}: ${err.message}`, issuer, err.details);
    throw err;
  }
  const ok = await memo(certSignatures, cert, issuer, () => key.verify(scheme, cert.tbs, new Uint8Array(asn.signatureValue)));
  if (!ok) {
    // A contradicting key identifier means this candidate simply is not the issuer: no path, not a forgery.
    if (keyIdRank(cert, issuer) === 2) {
      throw fail('ERR_CHAIN_UNTRUSTED', `${describe(cert)} was not issued by ${describe(issuer)}`, cert);
    }
    throw fail('ERR_CHAIN_SIGNATURE', `the signature of ${describe(cert)} does not verify with the key of ${describe(issuer)}`, cert);
  }
}

function checkValidity(info: CertInfo, time: number): void {
  if (time < info.notBefore) {
    throw fail('ERR_CHAIN_NOT_YET_VALID', `${describe(info)} is not valid before ${new Date(info.notBefore).toISOString()}`, info, {
      notBefore: new Date(info.notBefore).toISOString(),
    });
  }
  if (time > info.notAfter) {
    throw fail('ERR_CHAIN_EXPIRED', `${describe(info)} expired at ${new Date(info.notAfter).toISOString()}`, info, {
      notAfter: new Date(info.notAfter).toISOString(),
    });
  }
}

function ekuAllows(eku: readonly string[] | undefined, purpose: Purpose, acceptAny: boolean, required: boolean): boolean {
  if (purpose === 'any') return true;
  if (eku === undefined) return !required;
  return eku.includes(PURPOSE_EKU[purpose]) || (acceptAny && eku.includes(OID_ANY_EKU));
}

/** Structural checks of one candidate path, then revocation. Returns the path's validity window. */
async function checkPath(p: CandidatePath, role: Role, ctx: Ctx): Promise<{ from: number; until: number }> {
  const { certs, anchor } = p;
  checkValidity(anchor, ctx.time);
  let from = anchor.notBefore;
  let until = anchor.notAfter;
  if (anchor.keyUsage !== undefined && !(anchor.keyUsage & KU.keyCertSign)) {
    throw fail('ERR_CHAIN_KEY_USAGE', `the trust anchor ${describe(anchor)} lacks keyCertSign`, anchor);
  }
  let maxPathLength = anchor.basicConstraints?.pathLen ?? certs.length;
  let working = anchor;
  for (let i = certs.length - 1; i >= 0; i--) {
    const c = certs[i]!;
    if (c.issuerKey !== working.subjectKey) {
      throw fail('ERR_CHAIN_NAME_MISMATCH', `the issuer of ${describe(c)} is not the subject of ${describe(working)}`, c);
    }
    await verifyCertSignature(c, working);
    checkValidity(c, ctx.time);
    if (c.notBefore > from) from = c.notBefore;
    if (c.notAfter < until) until = c.notAfter;
    if (c.unknownCritical.length > 0) {
      throw fail('ERR_CHAIN_CRITICAL_EXTENSION', `${describe(c)} carries the unknown critical extension ${c.unknownCritical.join(', ')}`, c, {
        oids: c.unknownCritical,
      });
    }
    if (i > 0) {
      if (c.version !== 3 || !isCa(c)) {
        throw fail('ERR_CHAIN_BASIC_CONSTRAINTS', `${describe(c)} issues certificates but is not a CA (basicConstraints cA)`, c);
      }
      if (!c.selfIssued) {
        if (maxPathLength <= 0) throw fail('ERR_CHAIN_PATH_LENGTH', `${describe(c)} exceeds the path length a CA above it allows`, c);
        maxPathLength--;
      }
      const pathLen = c.basicConstraints?.pathLen;
      if (pathLen !== undefined && pathLen < maxPathLength) maxPathLength = pathLen;
      if (c.keyUsage !== undefined && !(c.keyUsage & KU.keyCertSign)) {
        throw fail('ERR_CHAIN_KEY_USAGE', `the CA ${describe(c)} lacks keyCertSign`, c);
      }
      if (!ekuAllows(c.eku, ctx.purpose, true, false)) {
        throw fail('ERR_CHAIN_EKU', `the CA ${describe(c)} is restricted to other extended key usages`, c);
      }
    } else if (role === 'end-entity') {
      if (isCa(c) && !ctx.allowCaLeaf) {
        throw fail('ERR_CHAIN_BASIC_CONSTRAINTS', `${describe(c)} is a CA certificate (cA TRUE) and cannot be used as an end entity`, c);
      }
      if (c.keyUsage !== undefined && (c.keyUsage & ctx.leafKeyUsage) !== ctx.leafKeyUsage) {
        throw fail('ERR_CHAIN_KEY_USAGE', `${describe(c)} lacks the key usage its use needs`, c);
      }
      if (!ekuAllows(c.eku, ctx.purpose, ctx.acceptAnyEku, true)) {
        throw fail('ERR_CHAIN_EKU', `${describe(c)} is not valid for ${ctx.purpose}`, c, { purpose: ctx.purpose });
      }
      try {
        keyHandle(c);
      } catch (err) {
        if (isHelmlinkError(err)) throw fail(err.code, `${describe(c)}: ${err.message}`, c, err.details);
        throw err;
      }
    } else if (c.keyUsage !== undefined && !(c.keyUsage & KU.cRLSign)) {
      throw fail('ERR_CHAIN_KEY_USAGE', `the CRL issuer ${describe(c)} lacks cRLSign`, c);
    }
    working = c;
  }
  if (ctx.mode !== 'off') {
    for (let i = certs.length - 1; i >= 0; i--) {
      const c = certs[i]!;
      const issuer = i + 1 < certs.length ? certs[i + 1]! : anchor;
      const required = ctx.mode === 'chain' || i === 0;
      const w = await checkRevocation(c, issuer, required, ctx);
      if (w.from > from) from = w.from;
      if (w.until < until) until = w.until;
    }
  }
  return { from, until };
}

function preferError(errors: HelmlinkError[]): HelmlinkError | undefined {
  const rank = (e: HelmlinkError): number => {
    switch (e.code) {
      case 'ERR_CRL_STALE':
        return 0;
      case 'ERR_CRL_CRITICAL_EXTENSION':
        return 1;
      case 'ERR_CHAIN_REVOKED':
        return 2;
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

/**
 * The revocation status of `cert` (issued by `issuer` in the path being validated). Throws ERR_CHAIN_REVOKED,
 * or a CRL error when the status cannot be determined and a check is required (or a CRL for it was given).
 */
async function checkRevocation(cert: CertInfo, issuer: CertInfo, required: boolean, ctx: Ctx): Promise<{ from: number; until: number }> {
  const window = { from: -Infinity, until: Infinity };
  const all = ctx.crlsByIssuer.get(cert.issuerKey) ?? [];
  const errors: HelmlinkError[] = [];
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
  if (!inScope && !required) return window;
  let covered = 0;
  for (const [scope, list] of groups) {
    list.sort((a, b) => newerFirst(a.crl, b.crl));
    const { crl: base, mask } = list[0]!;
    let delta: CrlInfo | undefined;
    const deltas = base.number === undefined ? [] : all.filter((d) => isDelta(d) && d.scopeKey === scope && d.deltaBase! <= base.number! && d.number !== undefined && d.number > base.number!);
    if (deltas.length > 0) {
      deltas.sort(newerFirst);
      for (const d of deltas) {
        try {
          await checkCrlUsable(d, issuer, ctx);
          delta = d;
          break;
        } catch (err) {
          if (!isHelmlinkError(err)) throw err;
          errors.push(err);
        }
      }
      // Newer revocation information exists but none of it is usable: this scope is undetermined.
      if (!delta) continue;
    }
    for (const used of delta ? [base, delta] : [base]) {
      if (used.thisUpdate > window.from) window.from = used.thisUpdate;
      const horizon = used.nextUpdate! + ctx.graceMs;
      if (horizon < window.until) window.until = horizon;
    }
    const entry = delta && delta.entries.has(cert.serial) ? (deltaReleases(delta, cert.serial) ? undefined : lookupEntry(delta, cert.serial)) : lookupEntry(base, cert.serial);
    if (entry) {
      throw fail('ERR_CHAIN_REVOKED', `${describe(cert)} is revoked (${entry.reason})`, cert, { serial: cert.serial, reason: entry.reason });
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

async function resolveCrlSigner(crl: CrlInfo, issuer: CertInfo, ctx: Ctx): Promise<void> {
  const scheme = crl.scheme;
  if (scheme instanceof HelmlinkError) throw scheme;
  const seen = new Set<string>([rawId(issuer)]);
  const others: CertInfo[] = [];
  for (const c of [...ctx.anchors.bySubject(crl.issuerKey), ...ctx.intermediates.bySubject(crl.issuerKey)]) {
    const id = rawId(c);
    if (seen.has(id)) continue;
    seen.add(id);
    others.push(c);
  }
  const rank = (c: CertInfo): number => (crl.akiKeyId === undefined || c.ski === undefined ? 1 : crl.akiKeyId === c.ski ? 0 : 2);
  others.sort((a, b) => rank(a) - rank(b));
  let firstError: HelmlinkError | undefined;
  const note = (e: HelmlinkError): void => {
    firstError ??= e;
  };
  for (const candidate of [issuer, ...others]) {
    if (candidate.keyUsage !== undefined && !(candidate.keyUsage & KU.cRLSign)) {
      note(new HelmlinkError('ERR_CRL_INVALID', `the CRL of ${crl.crl.issuer} cannot be verified: ${describe(candidate)} lacks cRLSign`));
      continue;
    }
    let key: PublicKeyHandle;
    try {
      key = keyHandle(candidate);
    } catch (err) {
      if (!isHelmlinkError(err)) throw err;
      note(err);
      continue;
    }
    const ok = await memo(crlSignatures, crl, candidate, () => key.verify(scheme, crl.tbs, crl.signature));
    if (!ok) {
      note(new HelmlinkError('ERR_CRL_INVALID', `the signature of the CRL of ${crl.crl.issuer} does not verify with the key of ${describe(candidate)}`));
      continue;
    }
    if (candidate === issuer || ctx.anchorSet.has(rawId(candidate)) || ctx.inProgress.has(candidate)) return;
    if (ctx.depth >= MAX_SIGNER_DEPTH) continue;
    // A separate CRL signing certificate: its own path must validate (RFC 5280 6.3.3 (f)).
    // A fresh memo: the outer resolution of this CRL is still pending and must not be awaited from inside.
    const sub: Ctx = { ...ctx, depth: ctx.depth + 1, signerMemo: new Map(), inProgress: new Set([...ctx.inProgress, candidate]) };
    try {
      await validateFrom(candidate, 'crl-signer', sub);
      return;
    } catch (err) {
      if (!isHelmlinkError(err)) throw err;
      note(new HelmlinkError('ERR_CRL_INVALID', `the CRL signer ${describe(candidate)} is not valid: ${err.code}: ${err.message}`, { cause: err }));
    }
  }
  throw firstError ?? new HelmlinkError('ERR_CRL_INVALID', `no valid signer for the CRL of ${crl.crl.issuer}`);
}

function noPathError(leaf: CertInfo, ctx: Ctx): HelmlinkError {
  if (leaf.akiKeyId !== undefined) {
    for (const index of [ctx.anchors, ctx.intermediates]) {
      for (const c of index.byKeyId(leaf.akiKeyId)) {
        if (c.subjectKey !== leaf.issuerKey) {
          return fail('ERR_CHAIN_NAME_MISMATCH', `the issuer name of ${describe(leaf)} does not match the subject of its issuing key's certificate ${describe(c)}`, leaf);
        }
      }
    }
  }
  return fail('ERR_CHAIN_UNTRUSTED', `no path leads from ${describe(leaf)} to a trust anchor`, leaf);
}

async function validateFrom(leaf: CertInfo, role: Role, ctx: Ctx): Promise<{ path: CandidatePath; from: number; until: number }> {
  const errors: HelmlinkError[] = [];
  for (const path of buildPaths(leaf, ctx.anchors, ctx.intermediates, { maxDepth: ctx.maxDepth })) {
    if (ctx.budget.paths <= 0) break;
    ctx.budget.paths--;
    try {
      return { path, ...(await checkPath(path, role, ctx)) };
    } catch (err) {
      if (!isHelmlinkError(err)) throw err;
      errors.push(err);
    }
  }
  if (errors.length === 0) throw noPathError(leaf, ctx);
  return Promise.reject(errors.find((e) => e.code !== 'ERR_CHAIN_UNTRUSTED') ?? errors[0]!);
}

function checkOptions(options: ValidatePathOptions): void {
  if (!options || typeof options !== 'object') throw new TypeError('validatePath: options are required');
  if (!(options.time instanceof Date) || Number.isNaN(options.time.getTime())) throw new TypeError('validatePath: options.time must be a valid Date');
  if (!Array.isArray(options.trustAnchors)) throw new TypeError('validatePath: options.trustAnchors must be an array');
  if (!['clientAuth', 'serverAuth', 'any'].includes(options.purpose)) throw new TypeError(`validatePath: unknown purpose ${String(options.purpose)}`);
  if (!options.revocation || !['off', 'leaf', 'chain'].includes(options.revocation.mode)) {
    throw new TypeError('validatePath: options.revocation.mode must be off, leaf or chain');
  }
  const grace = options.revocation.staleGraceSeconds ?? 0;
  if (!Number.isFinite(grace) || grace < 0) throw new TypeError('validatePath: staleGraceSeconds must be a non-negative number');
}

function identityOf(leaf: x509.X509Certificate): EntityIdentity | undefined {
  try {
    const identity = readIdentity(leaf);
    return identity.roles.length > 0 ? identity : undefined;
  } catch (err) {
    if (isHelmlinkError(err, 'ERR_CERT_PROFILE')) return undefined;
    throw err;
  }
}

/**
 * Validates the certification path of `leaf` to one of `options.trustAnchors` at `options.time`, for
 * `options.purpose`, with revocation per `options.revocation`. Resolves to the validated path (leaf first,
 * anchor last) with its validity window; rejects with a HelmlinkError carrying a stable code
 * (ERR_CHAIN_*, ERR_CRL_*, ERR_CERT_MALFORMED). Throws TypeError for invalid options.
 */
export async function validatePath(leaf: x509.X509Certificate, options: ValidatePathOptions): Promise<ValidatedPathResult> {
  checkOptions(options);
  const leafInfo = certInfo(leaf);
  const anchors = options.trustAnchors.map(certInfo);
  const intermediates: CertInfo[] = [];
  for (const c of options.intermediates ?? []) {
    try {
      intermediates.push(certInfo(c));
    } catch (err) {
      // An unparsable untrusted intermediate can never be part of a valid path.
      if (!isHelmlinkError(err, 'ERR_CERT_MALFORMED')) throw err;
    }
  }
  const crlsByIssuer = new Map<string, CrlInfo[]>();
  for (const crl of options.crls ?? []) {
    const info = crlInfo(crl);
    const list = crlsByIssuer.get(info.issuerKey);
    if (list) list.push(info);
    else crlsByIssuer.set(info.issuerKey, [info]);
  }
  let leafKeyUsage = 0;
  for (const name of options.leafKeyUsage ?? ['digitalSignature']) {
    const bit = KU[name];
    if (bit === undefined) throw new TypeError(`validatePath: unknown key usage ${name}`);
    leafKeyUsage |= bit;
  }
  const ctx: Ctx = {
    time: options.time.getTime(),
    graceMs: (options.revocation.staleGraceSeconds ?? 0) * 1000,
    purpose: options.purpose,
    mode: options.revocation.mode,
    leafKeyUsage,
    allowCaLeaf: options.allowCaLeaf ?? false,
    acceptAnyEku: options.acceptAnyExtendedKeyUsage ?? false,
    maxDepth: options.maxDepth ?? 8,
    anchors: new IssuerIndex(anchors),
    anchorSet: new Set(anchors.map(rawId)),
    intermediates: new IssuerIndex(intermediates),
    crlsByIssuer,
    signerMemo: new Map(),
    inProgress: new Set(),
    depth: 0,
    budget: { paths: MAX_PATH_CHECKS },
  };
  const { path, from, until } = await validateFrom(leafInfo, 'end-entity', ctx);
  const chain = [...path.certs.map((c) => c.cert), path.anchor.cert];
  return {
    chain,
    leaf,
    anchor: path.anchor.cert,
    leafFingerprint: await fingerprint(leafInfo),
    validFrom: new Date(from),
    validUntil: new Date(until),
    identity: identityOf(leaf),
  };
}
