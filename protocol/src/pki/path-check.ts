/**
 * The per-path checks of RFC 5280 6.1 on one candidate path, from the trust anchor down. Path building (chain.ts)
 * already guarantees name chaining (6.1.3 (a)(4): candidates are found by name) and verified signatures
 * (6.1.3 (a)(1)); a CRL signing certificate's cRLSign is checked before its path is (revocation.ts).
 * - the anchor (anchor.ts): its own constraints start the state (RFC 5937);
 * - every certificate: valid at the time (6.1.3 (a)(2), validity.ts), no unknown critical extension (6.1.3/6.1.4 (o)), the section 4 profile rules
 *   (profile-rules.ts), its names inside the name constraints so far (6.1.3 (b)(c), name-constraints.ts);
 * - every CA below the anchor: v3 with basicConstraints cA TRUE (6.1.4 (k)), max_path_length (6.1.4 (l)(m);
 *   self-issued certificates are not counted), keyCertSign when keyUsage is present (6.1.4 (n)), an EKU (when
 *   present) compatible with the purpose, and its name constraints narrowing the state (6.1.4 (g));
 * - the end entity (of the caller's purpose): not a CA unless allowed, the required key usages, EKU for the
 *   purpose, an accepted key;
 * - then revocation (revocation.ts), once the structure of the whole path is known to be sound.
 */
import { checkAnchor } from './anchor';
import type { CandidatePath } from './chain';
import { type Ctx, describe, fail, type Role } from './context';
import { type CertInfo, isCa, KU, OID_ANY_EKU } from './extensions';
import { checkNames, type NameConstraintState } from './name-constraints';
import { OID_CLIENT_AUTH, OID_SERVER_AUTH } from './profile';
import { checkProfile } from './profile-rules';
import { checkRevocation } from './revocation';
import { keyHandle, named } from './signature';
import type { Purpose } from './types';
import { checkValidity } from './validity';

const PURPOSE_EKU: Record<Exclude<Purpose, 'any'>, string> = {
  clientAuth: OID_CLIENT_AUTH,
  serverAuth: OID_SERVER_AUTH,
};

function ekuAllows(
  eku: readonly string[] | undefined,
  purpose: Purpose,
  acceptAny: boolean,
  required: boolean,
): boolean {
  if (purpose === 'any') return true;
  if (eku === undefined) return !required;
  return eku.includes(PURPOSE_EKU[purpose]) || (acceptAny && eku.includes(OID_ANY_EKU));
}

/** 6.1.4 (k)-(n) and the EKU of a CA below the anchor; returns the new max_path_length. */
function checkCa(c: CertInfo, maxPathLength: number, ctx: Ctx): number {
  // (A v1/v2 certificate has no extensions, extensions.ts, so no cA either.)
  if (!isCa(c)) {
    throw fail(
      'ERR_CHAIN_BASIC_CONSTRAINTS',
      `${describe(c)} issues certificates but is not a CA (basicConstraints cA)`,
      c,
    );
  }
  let max = maxPathLength;
  if (!c.selfIssued) {
    if (max <= 0)
      throw fail('ERR_CHAIN_PATH_LENGTH', `${describe(c)} exceeds the path length a CA above it allows`, c);
    max--;
  }
  const pathLen = c.basicConstraints?.pathLen;
  if (pathLen !== undefined && pathLen < max) max = pathLen;
  if (c.keyUsage !== undefined && !(c.keyUsage & KU.keyCertSign)) {
    throw fail('ERR_CHAIN_KEY_USAGE', `the CA ${describe(c)} lacks keyCertSign`, c);
  }
  if (!ekuAllows(c.eku, ctx.purpose, true, false)) {
    throw fail('ERR_CHAIN_EKU', `the CA ${describe(c)} is restricted to other extended key usages`, c);
  }
  return max;
}

/** The end-entity rules of the caller's purpose. */
function checkEndEntity(c: CertInfo, ctx: Ctx): void {
  if (isCa(c) && !ctx.allowCaLeaf) {
    throw fail(
      'ERR_CHAIN_BASIC_CONSTRAINTS',
      `${describe(c)} is a CA certificate (cA TRUE) and cannot be used as an end entity`,
      c,
    );
  }
  if (c.keyUsage !== undefined && (c.keyUsage & ctx.leafKeyUsage) !== ctx.leafKeyUsage) {
    throw fail('ERR_CHAIN_KEY_USAGE', `${describe(c)} lacks the key usage its use needs`, c);
  }
  if (!ekuAllows(c.eku, ctx.purpose, ctx.acceptAnyEku, true)) {
    throw fail('ERR_CHAIN_EKU', `${describe(c)} is not valid for ${ctx.purpose}`, c, {
      purpose: ctx.purpose,
    });
  }
  named(c, '', () => keyHandle(c));
}

/** Structural checks of one candidate path, then revocation. Returns the path's validity window. */
export async function checkPath(
  p: CandidatePath,
  role: Role,
  ctx: Ctx,
): Promise<{ from: number; until: number }> {
  const { certs, anchor } = p;
  const start = checkAnchor(anchor, ctx);
  let from = anchor.notBefore;
  let until = anchor.notAfter;
  let maxPathLength = start.maxPathLength ?? certs.length;
  let names: NameConstraintState = start.names;
  for (let i = certs.length - 1; i >= 0; i--) {
    const c = certs[i]!;
    checkValidity(c, ctx.time);
    if (c.notBefore > from) from = c.notBefore;
    if (c.notAfter < until) until = c.notAfter;
    if (c.unknownCritical.length > 0) {
      throw fail(
        'ERR_CHAIN_CRITICAL_EXTENSION',
        `${describe(c)} carries the unknown critical extension ${c.unknownCritical.join(', ')}`,
        c,
        {
          oids: c.unknownCritical,
        },
      );
    }
    if (i > 0) maxPathLength = checkCa(c, maxPathLength, ctx);
    checkProfile(c, i > 0 ? 'ca' : 'end-entity');
    checkNames(c, i === 0, names);
    if (i > 0) {
      if (c.nameConstraints) names = names.with(c.nameConstraints);
    } else if (role === 'end-entity') {
      checkEndEntity(c, ctx);
    }
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
