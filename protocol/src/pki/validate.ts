/**
 * RFC 5280 certification path validation with CRLs (section 6), on @peculiar/x509 parsing and WebCrypto.
 *
 * `validatePath(leaf, options)` prepares the inputs (certificate and CRL views, the context) and runs the search
 * (path-search.ts): candidate paths from the leaf to one of the injected trust anchors (chain.ts, signatures
 * verified while building, bounded by a work budget), each checked by the stages of path-check.ts (trust
 * anchor rules in anchor.ts, the section 4 profile in profile-rules.ts, name constraints in
 * name-constraints.ts, validity in validity.ts, revocation in revocation.ts) until one passes. The error of
 * the most plausible failing path is thrown as a HelmlinkError with a stable code.
 */
import '../reflect';
import type * as x509 from '@peculiar/x509';
import { isHelmlinkError } from '../errors';
import { IssuerIndex, rawId } from './chain';
import { type Ctx, newBudget, wholeSeconds } from './context';
import { type CrlInfo, crlInfo } from './crl';
import { type CertInfo, certInfo, fingerprint, KU, type KeyUsageName } from './extensions';
import { validateFrom } from './path-search';
import { type EntityIdentity, readIdentity } from './profile';
import type { PathValidationOptions, ValidatedPath } from './types';

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

function checkOptions(options: ValidatePathOptions): void {
  if (!options || typeof options !== 'object') throw new TypeError('validatePath: options are required');
  if (!(options.time instanceof Date) || Number.isNaN(options.time.getTime()))
    throw new TypeError('validatePath: options.time must be a valid Date');
  if (!Array.isArray(options.trustAnchors))
    throw new TypeError('validatePath: options.trustAnchors must be an array');
  if (!['clientAuth', 'serverAuth', 'any'].includes(options.purpose))
    throw new TypeError(`validatePath: unknown purpose ${String(options.purpose)}`);
  if (!options.revocation || !['off', 'leaf', 'chain'].includes(options.revocation.mode)) {
    throw new TypeError('validatePath: options.revocation.mode must be off, leaf or chain');
  }
  const grace = options.revocation.staleGraceSeconds ?? 0;
  if (!Number.isFinite(grace) || grace < 0)
    throw new TypeError('validatePath: staleGraceSeconds must be a non-negative number');
}

function identityOf(leaf: x509.X509Certificate): EntityIdentity | undefined {
  try {
    const identity = readIdentity(leaf);
    return identity.roles.length > 0 ? identity : undefined;
  } catch {
    // Outside the profile (or names readIdentity cannot read): no identity, and the envelope refuses the signer.
    return undefined;
  }
}

/** Certificates that parse; an unparsable untrusted (or trusted) one can never be part of a valid path. */
function parsable(certs: readonly x509.X509Certificate[]): CertInfo[] {
  const out: CertInfo[] = [];
  for (const c of certs) {
    try {
      out.push(certInfo(c));
    } catch (err) {
      if (!isHelmlinkError(err, 'ERR_CERT_MALFORMED')) throw err;
    }
  }
  return out;
}

function createContext(options: ValidatePathOptions): Ctx {
  const anchors = parsable(options.trustAnchors);
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
  return {
    time: wholeSeconds(options.time.getTime()),
    graceMs: (options.revocation.staleGraceSeconds ?? 0) * 1000,
    purpose: options.purpose,
    mode: options.revocation.mode,
    leafKeyUsage,
    allowCaLeaf: options.allowCaLeaf ?? false,
    acceptAnyEku: options.acceptAnyExtendedKeyUsage ?? false,
    maxDepth: options.maxDepth ?? 8,
    anchors: new IssuerIndex(anchors),
    anchorSet: new Set(anchors.map(rawId)),
    intermediates: new IssuerIndex(parsable(options.intermediates ?? [])),
    crlsByIssuer,
    signerMemo: new Map(),
    inProgress: new Set(),
    depth: 0,
    budget: newBudget(),
    validateSigner: (signer, sub) => validateFrom(signer, 'crl-signer', sub),
  };
}

/**
 * Validates the certification path of `leaf` to one of `options.trustAnchors` at `options.time`, for
 * `options.purpose`, with revocation per `options.revocation`. Resolves to the validated path (leaf first,
 * anchor last) with its validity window; rejects with a HelmlinkError carrying a stable code
 * (ERR_CHAIN_*, ERR_CRL_*, ERR_CERT_MALFORMED). Throws TypeError for invalid options. The time is compared in
 * whole seconds, the precision of X.509 times.
 */
export async function validatePath(
  leaf: x509.X509Certificate,
  options: ValidatePathOptions,
): Promise<ValidatedPathResult> {
  checkOptions(options);
  const leafInfo = certInfo(leaf);
  const ctx = createContext(options);
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
