/**
 * The search over candidate paths: builds paths from a certificate (chain.ts) and runs the per-path checks on
 * each (path-check.ts) until one passes, within the validation's work budget. When none passes, the most
 * telling error is thrown: the first one other than "not the issuer"; ERR_CHAIN_TOO_COMPLEX when the budget ran
 * out before the search was complete; ERR_CHAIN_UNTRUSTED (or ERR_CHAIN_NAME_MISMATCH when the leaf's AKI names
 * a known key under another name) when no path reached an anchor at all.
 */
import { type HelmlinkError, isHelmlinkError } from '../errors';
import { buildPaths, type CandidatePath } from './chain';
import { type Ctx, describe, fail, type Role, spend } from './context';
import type { CertInfo } from './extensions';
import { checkPath } from './path-check';

function noPathError(leaf: CertInfo, ctx: Ctx): HelmlinkError {
  if (leaf.akiKeyId !== undefined) {
    for (const index of [ctx.anchors, ctx.intermediates]) {
      for (const c of index.byKeyId(leaf.akiKeyId)) {
        if (c.subjectKey !== leaf.issuerKey) {
          return fail(
            'ERR_CHAIN_NAME_MISMATCH',
            `the issuer name of ${describe(leaf)} does not match the subject of its issuing key's certificate ${describe(c)}`,
            leaf,
          );
        }
      }
    }
  }
  return fail('ERR_CHAIN_UNTRUSTED', `no path leads from ${describe(leaf)} to a trust anchor`, leaf);
}

function tooComplex(leaf: CertInfo): HelmlinkError {
  return fail(
    'ERR_CHAIN_TOO_COMPLEX',
    `path building for ${describe(leaf)} gave up: the candidate certificates exceed the work budget (too many look-alike issuers)`,
    leaf,
  );
}

/** Validates a path from `leaf` (the end entity, or a CRL signing certificate) to an anchor. */
export async function validateFrom(
  leaf: CertInfo,
  role: Role,
  ctx: Ctx,
): Promise<{ path: CandidatePath; from: number; until: number }> {
  const errors: HelmlinkError[] = [];
  const paths = buildPaths(leaf, {
    anchors: ctx.anchors,
    intermediates: ctx.intermediates,
    maxDepth: ctx.maxDepth,
    budget: ctx.budget,
    onReject: (e) => errors.push(e),
  });
  for await (const path of paths) {
    if (!spend(ctx.budget, 'paths')) break;
    try {
      return { path, ...(await checkPath(path, role, ctx)) };
    } catch (err) {
      if (!isHelmlinkError(err)) throw err;
      errors.push(err);
      if (err.code === 'ERR_CHAIN_TOO_COMPLEX') break;
    }
  }
  if (ctx.budget.exhausted) throw tooComplex(leaf);
  const telling = errors.find((e) => e.code !== 'ERR_CHAIN_UNTRUSTED');
  if (telling) throw telling;
  // Every path that reached an anchor left a telling error (checkPath never says "not the issuer"), so only
  // candidates that were not the issuer were rejected: no path.
  throw noPathError(leaf, ctx);
}
