/**
 * The state one validatePath call shares between its stages (path building, per-path checks, revocation, CRL
 * signer paths), the work budget that bounds all of them together, and the coded-error helpers.
 */
import { type ErrorCode, HelmlinkError } from '../errors';
import type { IssuerIndex } from './chain';
import type { CrlInfo } from './crl';
import type { CertInfo } from './extensions';
import type { Purpose } from './types';

/** What the path being validated is for: the caller's end entity, or a CRL signing certificate. */
export type Role = 'end-entity' | 'crl-signer';

/**
 * Work limits of one validatePath call, CRL signer paths included. Hostile input (hundreds of look-alike
 * intermediates with one subject, with one key or many) exhausts a limit after a bounded amount of work and
 * fails with ERR_CHAIN_TOO_COMPLEX instead of searching for minutes.
 */
export const WORK_LIMITS = {
  /** Issuer candidates considered while building paths (each costs at most one signature check). */
  candidates: 1024,
  /** Signature verifications (certificates and CRLs; repeated pairs are memoised and not counted again). */
  signatures: 128,
  /** Complete candidate paths run through the per-path checks. */
  paths: 128,
} as const;

/** The remaining work of one validation (shared by reference with CRL signer validations). */
export interface WorkBudget {
  candidates: number;
  signatures: number;
  paths: number;
  /** Set when a limit was reached: the search was cut short. */
  exhausted: boolean;
}

export function newBudget(): WorkBudget {
  return { ...WORK_LIMITS, exhausted: false };
}

/** Takes one unit of `what`; false (and marks the budget exhausted) when none is left. */
export function spend(budget: WorkBudget, what: 'candidates' | 'signatures' | 'paths'): boolean {
  if (budget[what] <= 0) {
    budget.exhausted = true;
    return false;
  }
  budget[what]--;
  return true;
}

export interface Ctx {
  /** The verification time in whole seconds (ms, floored: X.509 times have second precision, 4.1.2.5). */
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
  budget: WorkBudget;
  /** Validates the path of a separate CRL signing certificate (path-search.ts, injected to keep stages acyclic). */
  validateSigner: (signer: CertInfo, ctx: Ctx) => Promise<unknown>;
}

export function describe(info: CertInfo): string {
  return `"${info.cert.subject}"`;
}

/** A coded rejection naming the certificate. */
export function fail(
  code: ErrorCode,
  message: string,
  info: CertInfo,
  details: Record<string, unknown> = {},
): HelmlinkError {
  return new HelmlinkError(code, message, {
    details: { subject: info.cert.subject, serial: info.serial, ...details },
  });
}

/** A profile violation (ERR_CHAIN_PROFILE) with the RFC 5280 section it breaks. */
export function profileFail(info: CertInfo, rule: string, message: string): HelmlinkError {
  return fail('ERR_CHAIN_PROFILE', `${describe(info)}: ${message} (RFC 5280 ${rule})`, info, { rule });
}

/** `time` floored to the whole second (the precision of X.509 times). */
export function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
