/** The token request of the PKI contract applies the vocabulary's maritime rules (the same as the CA's). */
import { describe, expect, it } from 'vitest';
import { MARITIME_RULES } from '@helmlink/protocol/vocabulary';
import { createTokenRequestSchema } from '../../src/contract/pki';

const base = { entityId: 'mv-aurora', role: 'vessel' as const };

function issue(extra: Record<string, string>) {
  const parsed = createTokenRequestSchema.safeParse({ ...base, ...extra });
  return parsed.success ? undefined : parsed.error.issues[0];
}

describe('pki contract: createToken', () => {
  it('accepts consistent maritime identifiers', () => {
    expect(issue({ imo: '9074729', mmsi: '257123450', flag: 'NO' })).toBeUndefined();
  });

  it('refuses the flag XX, the MMSI 000000000 and the IMO 0000000', () => {
    expect(issue({ flag: 'XX' })).toMatchObject({ path: ['flag'], message: MARITIME_RULES.flag });
    expect(issue({ mmsi: '000000000' })).toMatchObject({ path: ['mmsi'], message: MARITIME_RULES.mmsi });
    expect(issue({ imo: '0000000' })).toMatchObject({ path: ['imo'], message: MARITIME_RULES.imo });
  });

  it('refuses an MMSI whose MID belongs to another flag', () => {
    expect(issue({ mmsi: '257123450', flag: 'DK' })).toMatchObject({
      path: ['mmsi'],
      message: MARITIME_RULES.mmsiFlag,
    });
  });
});
