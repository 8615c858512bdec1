/**
 * The RFC 5280 section 4 requirements ("MUST") that path validation enforces on every certificate of a path,
 * the trust anchor included, beyond the section 6 algorithm. Each failure is ERR_CHAIN_PROFILE with the
 * section in `details.rule`, or ERR_CHAIN_NAME_CONSTRAINTS for the rules on the nameConstraints extension.
 *
 * Decisions where the RFC leaves room (docs/pki.md):
 * - negative and zero serial numbers are accepted (4.1.2.2 asks users to handle them gracefully; PKITS 4.4.14
 *   expects them to validate); serials longer than 20 octets are refused;
 * - basicConstraints must be critical on the trust anchor (anchor.ts) but not on intermediates (PKITS 4.6.4
 *   expects a non-critical one to validate);
 * - an authority key identifier is required on every certificate below the anchor (each was issued by another
 *   certificate of the path, so none is a self-signed distribution of a CA key, 4.2.1.1's one exception) and on
 *   an anchor that is not self-issued (a cross-certified CA configured as an anchor).
 */
import {
  type CertInfo,
  isCa,
  KU,
  OID_AUTHORITY_INFO_ACCESS,
  OID_AUTHORITY_KEY_ID,
  OID_INHIBIT_ANY_POLICY,
  OID_NAME_CONSTRAINTS,
  OID_POLICY_CONSTRAINTS,
  OID_SUBJECT_ALT_NAME,
  OID_SUBJECT_INFO_ACCESS,
  OID_SUBJECT_KEY_ID,
} from './extensions';
import { describe, fail, profileFail } from './context';
import { describeName, sanProblem } from './general-names';

/** Where a certificate sits in the path being validated. */
export type Position = 'anchor' | 'ca' | 'end-entity';

/** 4.1.2.2: at most 20 octets (a 21st is allowed only as the 00 that keeps a 20-octet value positive). */
function checkSerial(c: CertInfo): void {
  const octets = c.serial.length / 2;
  if (octets > 21 || (octets === 21 && !c.serial.startsWith('00'))) {
    throw profileFail(c, '4.1.2.2', `a serial number of ${octets} octets (at most 20)`);
  }
}

/**
 * 4.1.2.6, 4.2.1.6: names present where they must be, SAN entries well formed. (A non-empty issuer, 4.1.2.4,
 * follows: the issuer name chains to the subject of a CA, which must be non-empty.)
 */
function checkNamesPresent(c: CertInfo, ca: boolean): void {
  if (c.subjectRdns.length === 0) {
    if (ca) throw profileFail(c, '4.1.2.6', 'a CA certificate with an empty subject name');
    if (!c.san) throw profileFail(c, '4.1.2.6', 'an empty subject name without a subjectAltName');
    if (c.critical.get(OID_SUBJECT_ALT_NAME) !== true)
      throw profileFail(c, '4.2.1.6', 'an empty subject name with a non-critical subjectAltName');
  }
  for (const gn of c.san ?? []) {
    const problem = sanProblem(gn);
    if (problem) throw profileFail(c, '4.2.1.6', `subjectAltName ${describeName(gn)}: ${problem}`);
  }
}

/** 4.2.1.1, 4.2.1.2, 4.2.2.1, 4.2.2.2: key identifiers present where required, and never critical. */
function checkIdentifiers(c: CertInfo, position: Position, ca: boolean): void {
  const critical = (oid: string): boolean => c.critical.get(oid) === true;
  if (critical(OID_AUTHORITY_KEY_ID)) throw profileFail(c, '4.2.1.1', 'a critical authority key identifier');
  // 4.2.1.1's one exception is a self-signed distribution of a CA key: only an anchor that is self-issued.
  if ((position !== 'anchor' || !c.selfIssued) && c.akiKeyId === undefined) {
    throw profileFail(
      c,
      '4.2.1.1',
      'no authority key identifier (keyIdentifier) on a certificate issued by another',
    );
  }
  if (critical(OID_SUBJECT_KEY_ID)) throw profileFail(c, '4.2.1.2', 'a critical subject key identifier');
  if (ca && c.ski === undefined)
    throw profileFail(c, '4.2.1.2', 'a CA certificate without a subject key identifier');
  if (critical(OID_AUTHORITY_INFO_ACCESS))
    throw profileFail(c, '4.2.2.1', 'a critical authority information access');
  if (critical(OID_SUBJECT_INFO_ACCESS))
    throw profileFail(c, '4.2.2.2', 'a critical subject information access');
}

/** 4.2.1.3, 4.2.1.9: key usage and basic constraints agree. */
function checkKeyUsage(c: CertInfo): void {
  const ku = c.keyUsage;
  if (ku === 0) throw profileFail(c, '4.2.1.3', 'a keyUsage with no bit set');
  if (ku !== undefined && ku & KU.keyCertSign && !isCa(c))
    throw profileFail(c, '4.2.1.9', 'keyCertSign without basicConstraints cA TRUE');
  if (
    c.basicConstraints?.pathLen !== undefined &&
    (!isCa(c) || (ku !== undefined && !(ku & KU.keyCertSign)))
  ) {
    throw profileFail(
      c,
      '4.2.1.9',
      'a pathLenConstraint on a certificate that is not a CA allowed to sign certificates',
    );
  }
}

/** 4.2.1.10, 4.2.1.11, 4.2.1.14: constraint extensions only where and how the profile allows them. */
function checkConstraintExtensions(c: CertInfo): void {
  const nc = c.nameConstraints;
  if (nc) {
    const ncFail = (message: string): Error =>
      fail('ERR_CHAIN_NAME_CONSTRAINTS', `${describe(c)}: ${message} (RFC 5280 4.2.1.10)`, c, {
        rule: '4.2.1.10',
      });
    if (!isCa(c)) throw ncFail('name constraints in a certificate that is not a CA');
    if (c.critical.get(OID_NAME_CONSTRAINTS) !== true) throw ncFail('non-critical name constraints');
    if (nc.problem) throw ncFail(`invalid name constraints: ${nc.problem}`);
  }
  if (c.critical.get(OID_POLICY_CONSTRAINTS) === false)
    throw profileFail(c, '4.2.1.11', 'non-critical policy constraints');
  if (c.critical.get(OID_INHIBIT_ANY_POLICY) === false)
    throw profileFail(c, '4.2.1.14', 'a non-critical inhibitAnyPolicy');
}

/**
 * Checks the section 4 profile rules on `c` at `position` (the end entity of a path may itself be a CA
 * certificate, which then has to meet the CA rules too).
 */
export function checkProfile(c: CertInfo, position: Position): void {
  const ca = position !== 'end-entity' || isCa(c);
  checkSerial(c);
  checkNamesPresent(c, ca);
  checkIdentifiers(c, position, ca);
  checkKeyUsage(c);
  checkConstraintExtensions(c);
}
