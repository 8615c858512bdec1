import { describe, expect, it } from 'vitest';
import {
  CRL_REASONS,
  REMOVE_FROM_CRL,
  REVOCATION_REASON_LIST,
  REVOCATION_REASONS,
  crlReason,
  isRevocationReasonCode,
  reasonName,
} from '../../src/vocabulary/revocation';

describe('RFC 5280 CRLReason table', () => {
  it('has every RFC 5280 code once with its ASN.1 name (7 is unused)', () => {
    expect(CRL_REASONS.map((r) => [r.code, r.name])).toEqual([
      [0, 'unspecified'],
      [1, 'keyCompromise'],
      [2, 'cACompromise'],
      [3, 'affiliationChanged'],
      [4, 'superseded'],
      [5, 'cessationOfOperation'],
      [6, 'certificateHold'],
      [8, 'removeFromCRL'],
      [9, 'privilegeWithdrawn'],
      [10, 'aACompromise'],
    ]);
    expect(crlReason(8)?.name).toBe('removeFromCRL');
    expect(crlReason(7)).toBeUndefined();
    expect(REMOVE_FROM_CRL).toBe(8);
  });

  it('derives the revocation reasons: every reason but removeFromCRL', () => {
    expect(REVOCATION_REASONS).toEqual({
      unspecified: 0,
      keyCompromise: 1,
      cACompromise: 2,
      affiliationChanged: 3,
      superseded: 4,
      cessationOfOperation: 5,
      certificateHold: 6,
      privilegeWithdrawn: 9,
      aACompromise: 10,
    });
    expect(REVOCATION_REASON_LIST.map((r) => r.code)).toEqual([0, 1, 2, 3, 4, 5, 6, 9, 10]);
    expect(REVOCATION_REASON_LIST.find((r) => r.code === 1)?.label).toBe('Key compromise');
    expect(isRevocationReasonCode(6)).toBe(true);
    for (const c of [8, 7, 11, -1, '1']) expect(isRevocationReasonCode(c)).toBe(false);
    expect(reasonName(6)).toBe('certificateHold');
    expect(reasonName(8)).toBeUndefined();
  });
});
