/**
 * Trust anchor rules (RFC 5280 6.1.1 (d), RFC 5937).
 *
 * A trust anchor is configured as a certificate. Its subject name and public key are the trust anchor
 * information of 6.1.1 (d): they start working_issuer_name and working_public_key. Its signature carries no
 * trust and is not checked (an anchor need not be self-signed: an intermediate may be configured as one), and
 * it is not checked for revocation. Beyond that, the anchor certificate's own constraints apply to the path, as
 * RFC 5937 allows ("using the trust anchor constraints"):
 * - it must be valid at the verification time;
 * - basicConstraints present, critical, with cA TRUE (4.2.1.9), and its pathLenConstraint starts
 *   max_path_length (6.1.2 (k) seeded per RFC 5937 2);
 * - keyCertSign when keyUsage is present (4.2.1.3);
 * - its nameConstraints start permitted_subtrees / excluded_subtrees (RFC 5937 2, 6.1.2 (b)(c));
 * - no critical extension this validator does not process (a constraint its issuer meant to impose);
 * - the section 4 rules of a CA certificate (profile-rules.ts): non-empty subject, subject key identifier
 *   present and non-critical, an authority key identifier (optional on an anchor) non-critical, ...
 */
import { type Ctx, describe, fail } from './context';
import { type CertInfo, KU, OID_BASIC_CONSTRAINTS } from './extensions';
import { NameConstraintState } from './name-constraints';
import { checkProfile } from './profile-rules';
import { checkValidity } from './validity';

/** The path state a trust anchor starts. */
export interface AnchorState {
  /** The anchor's pathLenConstraint, when it has one. */
  maxPathLength: number | undefined;
  names: NameConstraintState;
}

/** Applies the trust anchor rules; throws a coded error when the anchor cannot start a path. */
export function checkAnchor(anchor: CertInfo, ctx: Ctx): AnchorState {
  checkValidity(anchor, ctx.time);
  if (anchor.unknownCritical.length > 0) {
    throw fail(
      'ERR_CHAIN_CRITICAL_EXTENSION',
      `the trust anchor ${describe(anchor)} carries the unknown critical extension ${anchor.unknownCritical.join(', ')}`,
      anchor,
      {
        oids: anchor.unknownCritical,
      },
    );
  }
  const bc = anchor.basicConstraints;
  if (!bc || !bc.ca || anchor.critical.get(OID_BASIC_CONSTRAINTS) !== true) {
    const why = !bc
      ? 'has no basicConstraints'
      : !bc.ca
        ? 'is not a CA (cA FALSE)'
        : 'has non-critical basicConstraints';
    throw fail(
      'ERR_CHAIN_BASIC_CONSTRAINTS',
      `the trust anchor ${describe(anchor)} ${why} (RFC 5280 4.2.1.9)`,
      anchor,
      { rule: '4.2.1.9' },
    );
  }
  if (anchor.keyUsage !== undefined && !(anchor.keyUsage & KU.keyCertSign)) {
    throw fail('ERR_CHAIN_KEY_USAGE', `the trust anchor ${describe(anchor)} lacks keyCertSign`, anchor);
  }
  checkProfile(anchor, 'anchor');
  const names = anchor.nameConstraints
    ? NameConstraintState.EMPTY.with(anchor.nameConstraints)
    : NameConstraintState.EMPTY;
  return { maxPathLength: bc.pathLen, names };
}
