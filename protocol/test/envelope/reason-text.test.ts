/**
 * The vessel's words in an ack (`reason_text`): what the sanitiser keeps of a ship systems hook's output, and the
 * verification rules: only on a rejected ack, only plain text of at most 200 characters (a vessel that signs markup,
 * control characters, several lines or an overlong text gets its ack refused, so nothing else reaches a screen).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_REASON_TEXT_LENGTH,
  TYP_ACK,
  commandDigest,
  isReasonText,
  sanitizeReasonText,
  signAck,
  signCommand,
  verifyAck,
} from '../../src/envelope';
import { HelmlinkError } from '../../src/errors';
import {
  ALL,
  clock,
  CMD,
  createWorld,
  invalid,
  NOW_S,
  rawSign,
  refusal,
  VESSEL,
  x5cOf,
  type World,
} from './fixtures';

let w: World;
let commandToken: string;
let commandJti: string;
beforeAll(async () => {
  w = await createWorld();
  const signed = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
  commandToken = signed.token;
  commandJti = signed.claims.jti;
});

const state = { on: ALL.slice(0, 4), off: ALL.slice(4) };
const verify = (token: string) =>
  verifyAck(token, { trust: w.trust(), clock, vesselId: VESSEL, audience: 'pilot-1', commandToken });

/** An ack signed by the real vessel key with claims our signer refuses to write. */
async function forged(extra: Record<string, unknown>): Promise<string> {
  return rawSign(
    w.vessel.keys.privateKey,
    { alg: 'ES256', typ: TYP_ACK, x5c: x5cOf(w.vessel) },
    {
      iss: VESSEL,
      aud: 'pilot-1',
      iat: NOW_S,
      nbf: NOW_S,
      exp: NOW_S + 30,
      jti: globalThis.crypto.randomUUID(),
      in_reply_to: commandJti,
      cmd_sha256: await commandDigest(commandToken),
      status: 'rejected',
      reason: 'ERR_HOOK_REJECTED',
      state,
      ...extra,
    },
  );
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HelmlinkError) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('sanitizeReasonText', () => {
  it('keeps the first line with words, made plain', () => {
    expect(sanitizeReasonText('the voyage data recorder feed (VDRD) must stay on')).toBe(
      'the voyage data recorder feed (VDRD) must stay on',
    );
    expect(sanitizeReasonText('\n  \r\n\tVDR\tmust   stay on \nsecond line')).toBe('VDR must stay on');
    expect(sanitizeReasonText('first\u2028second')).toBe('first');
  });

  it('removes control and format characters (ANSI colours, bidi overrides, zero-width, NUL)', () => {
    expect(sanitizeReasonText('\u001b[31mrefused\u001b[0m')).toBe('[31mrefused[0m');
    expect(sanitizeReasonText('abc\u202edcba\u202c x\u200by\u0000z\u007f\u0085')).toBe('abcdcba xyz');
  });

  it('removes markup: tags, then any angle bracket left', () => {
    expect(sanitizeReasonText('<b>VDR</b> must <script>alert(1)</script>stay on')).toBe(
      'VDR must alert(1) stay on',
    );
    expect(sanitizeReasonText('pressure < 2 bar, speed > 3 kn')).toBe('pressure 2 bar, speed 3 kn');
    expect(sanitizeReasonText('a <!-- hidden --> b <?php x ?> c</p >')).toBe('a b c');
    expect(sanitizeReasonText('<img src=x onerror=alert(1)>')).toBeUndefined();
  });

  it(`cuts to ${MAX_REASON_TEXT_LENGTH} characters (code points, no split surrogate pairs)`, () => {
    const long = sanitizeReasonText(`${'🚢'.repeat(150)} ${'x'.repeat(100)}`)!;
    expect([...long]).toHaveLength(MAX_REASON_TEXT_LENGTH);
    expect(long.startsWith('🚢'.repeat(150))).toBe(true);
    expect(sanitizeReasonText(`${'a'.repeat(199)} b`)).toBe('a'.repeat(199));
    expect(isReasonText(sanitizeReasonText(`${'a'.repeat(199)} b`))).toBe(true);
  });

  it('gives nothing for output without words', () => {
    expect(sanitizeReasonText('')).toBeUndefined();
    expect(sanitizeReasonText(' \n\t\r\n')).toBeUndefined();
  });

  it('isReasonText accepts exactly what the sanitiser writes', () => {
    expect(isReasonText('VDR must stay on')).toBe(true);
    for (const bad of ['', ' padded', 'two\nlines', 'a  b', '<b>x</b>', 'x\u202e', 'x'.repeat(201), 42, null])
      expect(isReasonText(bad), JSON.stringify(bad)).toBe(false);
  });
});

describe('reason_text in acks', () => {
  it('a rejected ack carries the vessel words beside the code, and they verify', async () => {
    const { token, claims } = await signAck(w.vesselSigner, {
      audience: 'pilot-1',
      inReplyTo: commandJti,
      commandToken,
      status: 'rejected',
      reason: 'ERR_HOOK_REJECTED',
      reasonText: 'the voyage data recorder feed (VDRD) must stay on',
      state,
      clock,
    });
    expect(claims.reason_text).toBe('the voyage data recorder feed (VDRD) must stay on');
    expect((await verify(token)).claims).toMatchObject({
      status: 'rejected',
      reason: 'ERR_HOOK_REJECTED',
      reason_text: 'the voyage data recorder feed (VDRD) must stay on',
    });
  });

  it('a rejected ack without words still verifies (the claim is optional)', async () => {
    const claims = (await verify(await forged({}))).claims;
    expect(claims.reason).toBe('ERR_HOOK_REJECTED');
    expect('reason_text' in claims).toBe(false);
  });

  it('the signer refuses words on an applied ack and words it did not sanitise (caller bugs)', async () => {
    const base = { audience: 'pilot-1', inReplyTo: commandJti, commandToken, state, clock };
    await expect(signAck(w.vesselSigner, { ...base, status: 'applied', reasonText: 'ok' })).rejects.toThrow(
      'only a rejected ack carries a reason text',
    );
    await expect(
      signAck(w.vesselSigner, {
        ...base,
        status: 'rejected',
        reason: 'ERR_HOOK_REJECTED',
        reasonText: '<b>raw</b>\nhook output',
      }),
    ).rejects.toThrow('reasonText must be sanitised first');
  });

  it('ERR_CLAIM_INVALID: an applied ack with words (a vessel may explain only a refusal)', async () => {
    const token = await forged({ status: 'applied', reason: undefined, reason_text: 'applied anyway' });
    expect(await codeOf(verify(token))).toBe('ERR_CLAIM_INVALID: an applied ack carries no reason text');
    expect(await refusal(verify(token))).toEqual(
      invalid('an applied ack carries no reason text', 'reason_text'),
    );
  });

  it('ERR_CLAIM_INVALID: markup, control characters, several lines, overlong or non-string words', async () => {
    for (const bad of [
      '<img src=x onerror=alert(1)>refused',
      'refused\u001b[2J',
      'refused\u202eti tpecca',
      'refused\nsecond line',
      ' padded',
      'x'.repeat(MAX_REASON_TEXT_LENGTH + 1),
      '',
      42,
      ['refused'],
    ])
      expect(await codeOf(verify(await forged({ reason_text: bad }))), JSON.stringify(bad)).toMatch(
        /^ERR_CLAIM_INVALID: reason_text must be one plain line of at most 200 characters/u,
      );
    // The refusal names the claim (the console shows which part of the ack was wrong).
    expect((await refusal(verify(await forged({ reason_text: 'two\nlines' })))).details).toEqual({
      claim: 'reason_text',
    });
  });
});
