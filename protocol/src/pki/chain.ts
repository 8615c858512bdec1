/**
 * Path building (RFC 4158 in miniature): from the leaf, candidate issuers are the certificates whose subject
 * name equals the current certificate's issuer name, trust anchors first; the authority/subject key identifier
 * pair only orders candidates (a matching one first, a contradicting one last). Alternatives are tried in turn
 * (backtracking); a certificate never appears twice in a path, paths are depth-limited and the number of
 * complete paths tried is bounded, so hostile input (many look-alike intermediates) cannot make this explode.
 *
 * Only the injected trust anchors end a path: a self-signed certificate among the intermediates is just
 * another untrusted intermediate.
 */
import { toHex } from './der';
import type { CertInfo } from './extensions';

/** A complete candidate path: `certs` leaf first (not containing the anchor), then the anchor. */
export interface CandidatePath {
  certs: CertInfo[];
  anchor: CertInfo;
}

export interface PathBuildingLimits {
  /** Maximum certificates in a path, anchor excluded. Default 8. */
  maxDepth?: number;
  /** Maximum complete paths yielded. Default 32. */
  maxPaths?: number;
}

/** Candidate issuers indexed by subject name. */
export class IssuerIndex {
  readonly #bySubject = new Map<string, CertInfo[]>();

  constructor(certs: Iterable<CertInfo>) {
    const seen = new Set<string>();
    for (const c of certs) {
      const id = rawId(c);
      if (seen.has(id)) continue;
      seen.add(id);
      const list = this.#bySubject.get(c.subjectKey);
      if (list) list.push(c);
      else this.#bySubject.set(c.subjectKey, [c]);
    }
  }

  /** Certificates whose subject name matches `issuerKey`, the best AKI/SKI match first. */
  issuersOf(cert: CertInfo): CertInfo[] {
    const list = this.#bySubject.get(cert.issuerKey);
    if (!list || list.length === 0) return [];
    if (list.length === 1 || cert.akiKeyId === undefined) return list;
    return [...list].sort((a, b) => keyIdRank(cert, a) - keyIdRank(cert, b));
  }

  /** Certificates whose subject name equals `subjectKey`. */
  bySubject(subjectKey: string): readonly CertInfo[] {
    return this.#bySubject.get(subjectKey) ?? [];
  }

  /** All certificates whose SKI equals the key id (for diagnosing name mismatches). */
  *byKeyId(keyId: string): Generator<CertInfo> {
    for (const list of this.#bySubject.values()) for (const c of list) if (c.ski === keyId) yield c;
  }
}

/** Identity of a certificate's encoding (intermediates equal to an anchor or listed twice are collapsed). */
export function rawId(c: CertInfo): string {
  let id = ids.get(c);
  if (id === undefined) {
    id = toHex(c.raw);
    ids.set(c, id);
  }
  return id;
}
const ids = new WeakMap<CertInfo, string>();

/** 0 = AKI matches SKI, 1 = no information, 2 = AKI contradicts SKI. */
export function keyIdRank(cert: CertInfo, issuer: CertInfo): number {
  if (cert.akiKeyId === undefined || issuer.ski === undefined) return 1;
  return cert.akiKeyId === issuer.ski ? 0 : 2;
}

/**
 * Yields complete candidate paths from `leaf` to an anchor, shortest-first along each branch (anchors before
 * intermediates at every step).
 */
export function* buildPaths(leaf: CertInfo, anchors: IssuerIndex, intermediates: IssuerIndex, limits: PathBuildingLimits = {}): Generator<CandidatePath> {
  const maxDepth = limits.maxDepth ?? 8;
  let budget = limits.maxPaths ?? 32;
  const path: CertInfo[] = [leaf];
  const inPath = new Set<string>([rawId(leaf)]);

  function* extend(current: CertInfo): Generator<CandidatePath> {
    for (const anchor of anchors.issuersOf(current)) {
      if (budget <= 0) return;
      budget--;
      yield { certs: [...path], anchor };
    }
    if (path.length >= maxDepth) return;
    for (const next of intermediates.issuersOf(current)) {
      const id = rawId(next);
      if (inPath.has(id)) continue;
      path.push(next);
      inPath.add(id);
      yield* extend(next);
      path.pop();
      inPath.delete(id);
      if (budget <= 0) return;
    }
  }

  yield* extend(leaf);
}
