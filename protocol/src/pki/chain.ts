/**
 * Path building (RFC 4158 in miniature): from the leaf, candidate issuers are the certificates whose subject
 * name equals the current certificate's issuer name, trust anchors first; the authority/subject key identifier
 * pair only orders candidates (a matching one first, a contradicting one last). A candidate is followed only
 * when its key verifies the signature of the certificate below it, so every yielded path carries verified
 * signatures. Alternatives are tried in turn (backtracking); a certificate, or a subject name and key pair,
 * never appears twice in a path.
 *
 * The whole search is bounded by the validation's work budget (candidates considered, signatures verified,
 * depth): hostile input (a pool of look-alike intermediates with one subject, with one key or with many) ends
 * the search after a bounded amount of work, with the budget marked exhausted (ERR_CHAIN_TOO_COMPLEX).
 *
 * Only the injected trust anchors end a path: a self-signed certificate among the intermediates is just
 * another untrusted intermediate.
 */
import type { HelmlinkError } from '../errors';
import { spend, type WorkBudget } from './context';
import { toHex } from './der';
import { type CertInfo, keyIdRank } from './extensions';
import { certSignatureError } from './signature';

/** A complete candidate path: `certs` leaf first (not containing the anchor), then the anchor. */
export interface CandidatePath {
  certs: CertInfo[];
  anchor: CertInfo;
}

export interface PathSearch {
  anchors: IssuerIndex;
  intermediates: IssuerIndex;
  /** Maximum certificates in a path, anchor excluded. */
  maxDepth: number;
  budget: WorkBudget;
  /** Receives why a candidate issuer was not followed (bad signature, refused algorithm, ...). */
  onReject: (error: HelmlinkError) => void;
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

/**
 * Yields complete candidate paths from `leaf` to an anchor, depth first (anchors before intermediates at every
 * step). Stops early, with `search.budget.exhausted` set, when a work limit is reached.
 */
export async function* buildPaths(leaf: CertInfo, search: PathSearch): AsyncGenerator<CandidatePath> {
  const path: CertInfo[] = [leaf];
  // Loop detection (RFC 4158 5.2): a name and key already in the path adds nothing, whichever certificate
  // carries them (a pool of look-alikes sharing one key dies at the first repetition).
  const nameAndKey = (c: CertInfo): string => `${c.subjectKey}\u0000${c.spkiKey}`;
  const inPath = new Set<string>([rawId(leaf), nameAndKey(leaf)]);
  const { budget } = search;

  /** True when `issuer`'s key verifies `child`; records why not otherwise. */
  async function signs(child: CertInfo, issuer: CertInfo): Promise<boolean> {
    const error = await certSignatureError(child, issuer, budget);
    if (error === undefined) return true;
    if (error !== 'budget') search.onReject(error);
    return false;
  }

  async function* extend(current: CertInfo): AsyncGenerator<CandidatePath> {
    for (const anchor of search.anchors.issuersOf(current)) {
      if (!spend(budget, 'candidates')) return;
      if (await signs(current, anchor)) yield { certs: [...path], anchor };
      if (budget.exhausted) return;
    }
    if (path.length >= search.maxDepth) return;
    for (const next of search.intermediates.issuersOf(current)) {
      const id = rawId(next);
      const nk = nameAndKey(next);
      if (inPath.has(id) || inPath.has(nk)) continue;
      if (!spend(budget, 'candidates')) return;
      if (!(await signs(current, next))) {
        if (budget.exhausted) return;
        continue;
      }
      path.push(next);
      inPath.add(id);
      inPath.add(nk);
      yield* extend(next);
      path.pop();
      inPath.delete(id);
      inPath.delete(nk);
      if (budget.exhausted) return;
    }
  }

  yield* extend(leaf);
}
