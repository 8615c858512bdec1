/**
 * parseCrlDer on hand-assembled CRLs (unsigned: parsing comes before any signature check), one malformed or
 * non-conforming field at a time, with the exact refusal each gets: a parser that skips a structural check or a
 * profile rule would let a crafted CRL be read differently from the way its issuer wrote it.
 */
import '../../src/reflect';
import { describe, expect, it } from 'vitest';
import { concat, encodeTime, tlv } from '../../src/pki/der-writer';
import { parseCrlDer } from '../../src/pki/crl-parse';
import { HelmlinkError } from '../../src/errors';
import { encodeName, encodeOid } from './forge';

const ECDSA_SHA256 = new Uint8Array([0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
const ECDSA_SHA384 = new Uint8Array([0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03]);
const seq = (...parts: Uint8Array[]) => tlv(0x30, concat(parts));
const bytes = (...b: number[]) => new Uint8Array(b);
const V2 = bytes(0x02, 0x01, 0x01);
const ISSUER = encodeName([['CN', 'DER Test CA']]);
const T1 = encodeTime(new Date('2026-06-01T00:00:00Z'));
const T2 = encodeTime(new Date('2026-06-02T00:00:00Z'));
const SIG = bytes(0x03, 0x03, 0x00, 0x01, 0x02);

/** An extension: OID, critical flag (written only when true unless `explicitFalse`), value bytes. */
const extension = (oid: string, value: Uint8Array, critical = false) =>
  seq(encodeOid(oid), ...(critical ? [bytes(0x01, 0x01, 0xff)] : []), tlv(0x04, value));
const NUMBER = (n: number[]) => extension('2.5.29.20', tlv(0x02, new Uint8Array(n)));
const exts = (...e: Uint8Array[]) => tlv(0xa0, seq(...e));
const entry = (serial: number[], ...entryExts: Uint8Array[]) =>
  seq(tlv(0x02, new Uint8Array(serial)), T1, ...(entryExts.length ? [seq(...entryExts)] : []));
const reason = (code: number, critical = false) => extension('2.5.29.21', bytes(0x0a, 0x01, code), critical);

/** A CRL from TBS fields (default: v2, ECDSA, issuer, thisUpdate, nextUpdate, CRL number 1), signature bytes. */
function crl(p: { fields?: Uint8Array[]; outerAlg?: Uint8Array; sig?: Uint8Array; tail?: Uint8Array } = {}) {
  const fields = p.fields ?? [V2, ECDSA_SHA256, ISSUER, T1, T2, exts(NUMBER([1]))];
  return seq(seq(...fields), p.outerAlg ?? ECDSA_SHA256, p.sig ?? SIG, ...(p.tail ? [p.tail] : []));
}
const tbs = (...rest: Uint8Array[]) => [V2, ECDSA_SHA256, ISSUER, T1, T2, ...rest];

function malformed(der: Uint8Array): string {
  try {
    parseCrlDer(der);
  } catch (err) {
    if (!(err instanceof HelmlinkError)) throw err;
    expect(err.code).toBe('ERR_CRL_MALFORMED');
    return err.message.replace('the CRL cannot be parsed: ', '');
  }
  throw new Error('expected ERR_CRL_MALFORMED');
}

const refusal = (der: Uint8Array) => {
  const r = parseCrlDer(der).refusal;
  return r && { code: r.code, message: r.message, details: r.details };
};

describe('parseCrlDer: structure (ERR_CRL_MALFORMED, naming what is wrong)', () => {
  it('a well-formed CRL parses: issuer, times, number, no refusal, whole-octet signature', () => {
    const info = parseCrlDer(crl({ fields: tbs(seq(entry([0x05], reason(1))), exts(NUMBER([7]))) }));
    expect(info.refusal).toBeUndefined();
    expect(info.scheme).not.toBeInstanceOf(HelmlinkError);
    expect(info.issuer).toBe('CN=DER Test CA');
    expect(info.version).toBe(2);
    expect(info.number).toBe(7n);
    expect(info.thisUpdate).toBe(Date.parse('2026-06-01T00:00:00Z'));
    expect(info.nextUpdate).toBe(Date.parse('2026-06-02T00:00:00Z'));
    expect(info.scopeKey).toBe('');
    expect([...info.signature]).toEqual([0x01, 0x02]);
    expect(info.entries.get('05')).toEqual({ reasonCode: 1, reason: 'keyCompromise' });
  });

  it.each([
    [
      'trailing data after the signature',
      () => crl({ tail: bytes(0x05, 0x00) }),
      'DER: malformed signature value',
    ],
    [
      'an empty signature BIT STRING',
      () => crl({ sig: bytes(0x03, 0x00) }),
      'DER: malformed signature value',
    ],
    [
      'version 3',
      () => crl({ fields: [bytes(0x02, 0x01, 0x02), ...tbs().slice(1)] }),
      'DER: the CRL version is not v2',
    ],
    [
      'a two-octet version',
      () => crl({ fields: [bytes(0x02, 0x02, 0x00, 0x01), ...tbs().slice(1)] }),
      'DER: the CRL version is not v2',
    ],
    [
      'a field after the extensions',
      () => crl({ fields: tbs(exts(NUMBER([1])), seq()) }),
      'DER: unexpected field in the TBSCertList',
    ],
    [
      'two extension blocks',
      () => crl({ fields: tbs(exts(NUMBER([1])), exts(NUMBER([2]))) }),
      'DER: unexpected field in the TBSCertList',
    ],
    [
      'a second nextUpdate',
      () => crl({ fields: tbs(T2, exts(NUMBER([1]))) }),
      'DER: unexpected field in the TBSCertList',
    ],
    [
      'extensions in a v1 CRL',
      () => crl({ fields: [ECDSA_SHA256, ISSUER, T1, T2, exts(NUMBER([1]))] }),
      'DER: a v1 CRL with extensions',
    ],
    [
      'trailing data in the extensions wrapper',
      () => crl({ fields: tbs(tlv(0xa0, concat([seq(NUMBER([1])), bytes(0x05, 0x00)]))) }),
      'DER: trailing data after the CRL extensions',
    ],
    [
      'an extension that is not a SEQUENCE',
      () => crl({ fields: tbs(exts(NUMBER([1]), bytes(0x05, 0x00))) }),
      'DER: an extension is not a SEQUENCE',
    ],
    [
      'an extension without an OID',
      () => crl({ fields: tbs(exts(NUMBER([1]), seq(tlv(0x04, bytes(0x05, 0x00))))) }),
      'DER: an extension without an OID',
    ],
    [
      'an explicit critical FALSE',
      () =>
        crl({
          fields: tbs(
            exts(seq(encodeOid('2.5.29.20'), bytes(0x01, 0x01, 0x00), tlv(0x04, bytes(0x02, 0x01, 0x01)))),
          ),
        }),
      'DER: an explicit critical FALSE',
    ],
    [
      'an extension value that is not an OCTET STRING',
      () => crl({ fields: tbs(exts(seq(encodeOid('2.5.29.20'), tlv(0x03, bytes(0x00))))) }),
      'DER: an extension value is not an OCTET STRING',
    ],
    [
      'data after an extension value',
      () =>
        crl({
          fields: tbs(
            exts(seq(encodeOid('2.5.29.20'), tlv(0x04, bytes(0x02, 0x01, 0x01)), bytes(0x05, 0x00))),
          ),
        }),
      'DER: an extension value is not an OCTET STRING',
    ],
    [
      'a CRL number with trailing data',
      () => crl({ fields: tbs(exts(extension('2.5.29.20', bytes(0x02, 0x01, 0x01, 0x05, 0x00)))) }),
      'DER: not an INTEGER',
    ],
    [
      'an empty CRL number',
      () => crl({ fields: tbs(exts(extension('2.5.29.20', bytes(0x02, 0x00)))) }),
      'DER: not an INTEGER',
    ],
    [
      'the same CRL extension twice',
      () => crl({ fields: tbs(exts(NUMBER([1]), NUMBER([2]))) }),
      'duplicate CRL extension 2.5.29.20',
    ],
    [
      'a revoked entry that is not a SEQUENCE',
      () => crl({ fields: tbs(seq(bytes(0x05, 0x00)), exts(NUMBER([1]))) }),
      'DER: a revoked entry is not a SEQUENCE',
    ],
    [
      'a revoked entry without a serial',
      () => crl({ fields: tbs(seq(seq(T1)), exts(NUMBER([1]))) }),
      'DER: a revoked entry without a serial',
    ],
    [
      'a revoked entry with an empty serial',
      () => crl({ fields: tbs(seq(seq(bytes(0x02, 0x00), T1)), exts(NUMBER([1]))) }),
      'DER: a revoked entry without a serial',
    ],
    [
      'a revoked entry without a date',
      () => crl({ fields: tbs(seq(seq(bytes(0x02, 0x01, 0x05), bytes(0x05, 0x00))), exts(NUMBER([1]))) }),
      'DER: a revoked entry without a revocation date',
    ],
    [
      'entry extensions that are not a SEQUENCE',
      () =>
        crl({ fields: tbs(seq(seq(bytes(0x02, 0x01, 0x05), T1, tlv(0x31, reason(1)))), exts(NUMBER([1]))) }),
      'DER: malformed CRL entry extensions',
    ],
    [
      'data after the entry extensions',
      () =>
        crl({
          fields: tbs(
            seq(seq(bytes(0x02, 0x01, 0x05), T1, seq(reason(1)), bytes(0x05, 0x00))),
            exts(NUMBER([1])),
          ),
        }),
      'DER: malformed CRL entry extensions',
    ],
    [
      'the same entry extension twice',
      () => crl({ fields: tbs(seq(entry([0x05], reason(1), reason(1))), exts(NUMBER([1]))) }),
      'DER: duplicate CRL entry extension',
    ],
    [
      'a two-octet reason code',
      () =>
        crl({
          fields: tbs(
            seq(entry([0x05], extension('2.5.29.21', bytes(0x0a, 0x02, 0x00, 0x01)))),
            exts(NUMBER([1])),
          ),
        }),
      'DER: a malformed reason code',
    ],
    [
      'a reason code with trailing data',
      () =>
        crl({
          fields: tbs(
            seq(entry([0x05], extension('2.5.29.21', bytes(0x0a, 0x01, 0x01, 0x05, 0x00)))),
            exts(NUMBER([1])),
          ),
        }),
      'DER: a malformed reason code',
    ],
  ])('%s', (_name, der, message) => {
    expect(malformed(der())).toBe(message);
  });

  it('unknown entry extensions that are not critical are ignored, also several different ones', () => {
    const info = parseCrlDer(
      crl({
        fields: tbs(
          seq(
            entry(
              [0x05],
              extension('1.2.3.4', bytes(0x05, 0x00)),
              extension('1.2.3.5', bytes(0x05, 0x00)),
              reason(1),
            ),
          ),
          exts(NUMBER([1])),
        ),
      }),
    );
    expect(info.refusal).toBeUndefined();
    expect(info.entries.get('05')?.reasonCode).toBe(1);
    // An id-ce extension numbered 32 or above is just unknown (no duplicate bit): two different ones are fine.
    const high = parseCrlDer(
      crl({
        fields: tbs(
          seq(
            entry(
              [0x05],
              extension('2.5.29.40', bytes(0x05, 0x00)),
              extension('2.5.29.41', bytes(0x05, 0x00)),
            ),
          ),
          exts(NUMBER([1])),
        ),
      }),
    );
    expect(high.refusal).toBeUndefined();
  });
});

describe('parseCrlDer: profile refusals (the CRL parses, is never used)', () => {
  const profile = (message: string, rule: string) => ({
    code: 'ERR_CRL_PROFILE',
    message: `${message} (RFC 5280 ${rule})`,
    details: { rule },
  });

  it('a v1 CRL, or a v2 CRL without a number: ERR_CRL_INVALID', () => {
    expect(refusal(crl({ fields: [ECDSA_SHA256, ISSUER, T1, T2] }))).toEqual({
      code: 'ERR_CRL_INVALID',
      message: 'v1 CRLs are refused: a conforming CRL is v2 and carries a CRL number (RFC 5280 5.1.2.1)',
      details: { rule: '5.1.2.1' },
    });
    expect(refusal(crl({ fields: tbs() }))).toEqual({
      code: 'ERR_CRL_INVALID',
      message: 'the CRL has no CRL number (RFC 5280 5.2.3)',
      details: { rule: '5.2.3' },
    });
  });

  it('CRL numbers: non-negative and at most 20 octets (21 with a sign octet)', () => {
    const msg = profile('the CRL number must be a non-negative integer of at most 20 octets', '5.2.3');
    expect(refusal(crl({ fields: tbs(exts(NUMBER([0xff]))) }))).toEqual(msg);
    expect(refusal(crl({ fields: tbs(exts(NUMBER([0x00]))) }))).toBeUndefined();
    expect(refusal(crl({ fields: tbs(exts(NUMBER(new Array<number>(20).fill(0x7f)))) }))).toBeUndefined();
    expect(
      refusal(crl({ fields: tbs(exts(NUMBER([0x00, ...new Array<number>(20).fill(0xff)]))) })),
    ).toBeUndefined();
    expect(refusal(crl({ fields: tbs(exts(NUMBER([0x01, ...new Array<number>(20).fill(0xff)]))) }))).toEqual(
      msg,
    );
    expect(
      refusal(crl({ fields: tbs(exts(NUMBER([0x00, 0x00, ...new Array<number>(20).fill(0xff)]))) })),
    ).toEqual(msg);
  });

  it('criticality of the known CRL extensions, each named with its rule', () => {
    const aki = (critical: boolean) => extension('2.5.29.35', seq(tlv(0x80, bytes(1, 2, 3))), critical);
    expect(
      refusal(crl({ fields: tbs(exts(extension('2.5.29.20', bytes(0x02, 0x01, 0x01), true))) })),
    ).toEqual(profile('the CRL number extension must be non-critical', '5.2.3'));
    expect(refusal(crl({ fields: tbs(exts(NUMBER([1]), aki(true))) }))).toEqual(
      profile('the authority key identifier extension must be non-critical', '5.2.1'),
    );
    expect(refusal(crl({ fields: tbs(exts(NUMBER([1]), extension('2.5.29.46', seq(), true))) }))).toEqual(
      profile('the freshest CRL extension must be non-critical', '5.2.6'),
    );
    expect(
      refusal(crl({ fields: tbs(exts(NUMBER([1]), extension('1.3.6.1.5.5.7.1.1', seq(), true))) })),
    ).toEqual(profile('the authority information access extension must be non-critical', '5.2.7'));
    expect(
      refusal(crl({ fields: tbs(exts(NUMBER([1]), extension('2.5.29.27', bytes(0x02, 0x01, 0x01)))) })),
    ).toEqual(profile('the delta CRL indicator extension must be critical', '5.2.4'));
    expect(
      refusal(crl({ fields: tbs(exts(NUMBER([1]), extension('2.5.29.28', seq(tlv(0x81, bytes(0xff)))))) })),
    ).toEqual(profile('the issuing distribution point extension must be critical', '5.2.5'));
    // The AKI's key identifier is read; one without is fine.
    expect(parseCrlDer(crl({ fields: tbs(exts(NUMBER([1]), aki(false))) })).akiKeyId).toBe('010203');
    expect(
      parseCrlDer(crl({ fields: tbs(exts(NUMBER([1]), extension('2.5.29.35', seq()))) })).akiKeyId,
    ).toBeUndefined();
  });

  it('an issuing distribution point with two onlyContains scopes; any one alone is fine', () => {
    const idp = (...fields: Uint8Array[]) => extension('2.5.29.28', seq(...fields), true);
    const user = tlv(0x81, bytes(0xff));
    const ca = tlv(0x82, bytes(0xff));
    const attr = tlv(0x85, bytes(0xff));
    const msg = profile('the issuing distribution point asserts more than one onlyContains… scope', '5.2.5');
    expect(refusal(crl({ fields: tbs(exts(NUMBER([1]), idp(user, ca))) }))).toEqual(msg);
    expect(refusal(crl({ fields: tbs(exts(NUMBER([1]), idp(ca, attr))) }))).toEqual(msg);
    expect(refusal(crl({ fields: tbs(exts(NUMBER([1]), idp(user, attr))) }))).toEqual(msg);
    for (const one of [user, ca, attr]) {
      const info = parseCrlDer(crl({ fields: tbs(exts(NUMBER([1]), idp(one))) }));
      expect(info.refusal).toBeUndefined();
      expect(info.scopeKey).not.toBe('');
    }
  });

  it('an unknown critical CRL extension names its OID; an issuer alternative name is known', () => {
    expect(
      refusal(
        crl({ fields: tbs(exts(NUMBER([1]), extension('1.3.6.1.4.1.99999.9', bytes(0x05, 0x00), true))) }),
      ),
    ).toEqual({
      code: 'ERR_CRL_CRITICAL_EXTENSION',
      message: 'the CRL carries the unknown critical extension 1.3.6.1.4.1.99999.9',
      details: { oid: '1.3.6.1.4.1.99999.9' },
    });
    const ian = extension('2.5.29.18', seq(tlv(0x86, new TextEncoder().encode('http://ca.example'))), true);
    expect(refusal(crl({ fields: tbs(exts(NUMBER([1]), ian)) }))).toBeUndefined();
  });

  it('entry extensions: criticality, unknown reasons, removeFromCRL, certificateIssuer, unknown critical ones', () => {
    const withEntry = (...e: Uint8Array[]) =>
      refusal(crl({ fields: tbs(seq(entry([0x05], ...e)), exts(NUMBER([1]))) }));
    expect(withEntry(reason(1, true))).toEqual(
      profile('a reasonCode entry extension must be non-critical', '5.3.1'),
    );
    expect(withEntry(reason(7))).toEqual(profile('unknown reason code 7', '5.3.1'));
    expect(withEntry(reason(8))).toEqual(profile('removeFromCRL appears only in delta CRLs', '5.3.1'));
    const invalidity = (critical: boolean) =>
      extension('2.5.29.24', tlv(0x18, new TextEncoder().encode('20260601000000Z')), critical);
    expect(withEntry(invalidity(true))).toEqual(
      profile('an invalidityDate entry extension must be non-critical', '5.3.2'),
    );
    expect(withEntry(invalidity(false))).toBeUndefined();
    // A hold instruction, even critical, decides nothing here (a hold is a revocation).
    expect(withEntry(extension('2.5.29.23', encodeOid('1.2.840.10040.2.1'), true))).toBeUndefined();
    expect(withEntry(extension('2.5.29.29', seq(), false))).toEqual({
      code: 'ERR_CRL_CRITICAL_EXTENSION',
      message: 'indirect CRL entries (certificateIssuer) are not supported',
      details: { oid: '2.5.29.29' },
    });
    expect(withEntry(extension('1.3.6.1.4.1.99999.8', bytes(0x05, 0x00), true))).toEqual({
      code: 'ERR_CRL_CRITICAL_EXTENSION',
      message: 'a CRL entry carries the unknown critical extension 1.3.6.1.4.1.99999.8',
      details: { oid: '1.3.6.1.4.1.99999.8' },
    });
  });

  it('a serial listed twice (the second time with a redundant sign octet) is refused, naming it as written', () => {
    const r = refusal(
      crl({ fields: tbs(seq(entry([0x05], reason(1)), entry([0x00, 0x05])), exts(NUMBER([1]))) }),
    );
    expect(r?.code).toBe('ERR_CRL_PROFILE');
    expect(r?.details).toEqual({ serial: '0005', rule: '5.1.2.6' });
  });

  it('signature algorithms: inside and outside must be the same bytes; an unsupported one or unused bits make the CRL unverifiable', () => {
    const mismatch = parseCrlDer(crl({ outerAlg: ECDSA_SHA384 }));
    expect(mismatch.scheme).toEqual(
      expect.objectContaining({
        code: 'ERR_CRL_INVALID',
        message: 'the CRL signature algorithm differs from the one inside the signed part',
      }),
    );
    const md5 = seq(encodeOid('1.2.840.113549.1.1.4'), bytes(0x05, 0x00));
    expect((parseCrlDer(crl({ outerAlg: md5 })).scheme as HelmlinkError).code).toMatch(/^ERR_/u);
    expect(parseCrlDer(crl({ sig: bytes(0x03, 0x02, 0x01, 0x02) })).scheme).toEqual(
      expect.objectContaining({
        code: 'ERR_CRL_INVALID',
        message: 'the CRL signature is not a whole number of octets',
      }),
    );
  });
});

describe('parseCrlDer: every element named, and look-alikes of the known extensions', () => {
  const withExts = (...e: Uint8Array[]) => crl({ fields: tbs(exts(NUMBER([1]), ...e)) });
  const withEntry = (...e: Uint8Array[]) => crl({ fields: tbs(seq(entry([0x05], ...e)), exts(NUMBER([1]))) });

  it.each([
    [
      'an outer signature algorithm that is not a SEQUENCE',
      () => seq(seq(...tbs(exts(NUMBER([1])))), tlv(0x31, bytes()), SIG),
      'DER: a signature algorithm expected (tag 0x30, got 0x31)',
    ],
    [
      'a signature that is not a BIT STRING',
      () => crl({ sig: bytes(0x04, 0x02, 0x00, 0x01) }),
      'DER: a signature BIT STRING expected (tag 0x3, got 0x4)',
    ],
    [
      'an inner signature algorithm that is not a SEQUENCE',
      () => crl({ fields: [V2, tlv(0x31, bytes()), ISSUER, T1, T2] }),
      'DER: a signature algorithm expected (tag 0x30, got 0x31)',
    ],
    [
      'an issuer that is not a Name',
      () => crl({ fields: [V2, ECDSA_SHA256, tlv(0x31, bytes()), T1, T2] }),
      'DER: an issuer name expected (tag 0x30, got 0x31)',
    ],
    [
      'a version of 256 (two octets, first one 1)',
      () => crl({ fields: [bytes(0x02, 0x02, 0x01, 0x00), ...tbs().slice(1)] }),
      'DER: the CRL version is not v2',
    ],
    [
      'an element tagged [1] where the extensions [0] may stand',
      () => crl({ fields: tbs(tlv(0xa1, seq(NUMBER([1])))) }),
      'DER: unexpected field in the TBSCertList',
    ],
    [
      'CRL extensions not in a SEQUENCE',
      () => crl({ fields: tbs(tlv(0xa0, tlv(0x31, NUMBER([1])))) }),
      'DER: the CRL extensions expected (tag 0x30, got 0x31)',
    ],
    [
      'a CRL number that is not an INTEGER',
      () => crl({ fields: tbs(exts(extension('2.5.29.20', tlv(0x04, bytes(1))))) }),
      'DER: an INTEGER expected (tag 0x2, got 0x4)',
    ],
    [
      'a reason code that is not ENUMERATED',
      () => withEntry(extension('2.5.29.21', bytes(0x02, 0x01, 0x01))),
      'DER: an ENUMERATED reason code expected (tag 0xa, got 0x2)',
    ],
    [
      'an invalidity date in UTCTime',
      () => withEntry(extension('2.5.29.24', T1)),
      'DER: a GeneralizedTime invalidity date expected (tag 0x18, got 0x17)',
    ],
    [
      'an outer signature algorithm without an OID',
      () => crl({ outerAlg: seq(bytes(0x02, 0x01, 0x01)) }),
      // The ASN.1 library's own words (not a scheme error: the CRL is unreadable, not merely unverifiable).
      /AlgorithmIdentifier/u,
    ],
    [
      'id-ce 0 twice in one entry',
      () => withEntry(extension('2.5.29.0', bytes(0x05, 0x00)), extension('2.5.29.0', bytes(0x05, 0x00))),
      'DER: duplicate CRL entry extension',
    ],
  ])('%s', (_name, der, message) => {
    // Fault: a misread element accepted in place of the one the profile names (or the name lost from the error).
    if (message instanceof RegExp) expect(malformed(der())).toMatch(message);
    else expect(malformed(der())).toBe(message);
  });

  it('the malformed error keeps the parser error as its cause', () => {
    try {
      parseCrlDer(crl({ sig: bytes(0x04, 0x02, 0x00, 0x01) }));
      throw new Error('expected ERR_CRL_MALFORMED');
    } catch (err) {
      expect((err as HelmlinkError).cause).toBeInstanceOf(RangeError);
    }
  });

  it('look-alikes of id-ce OIDs (longer, or another arc with the same last octet) are unknown extensions, not the known ones', () => {
    // Attack: a critical private extension whose OID merely ends like the CRL number must not pass as one.
    for (const oid of ['2.5.29.20.1', '1.3.6.20']) {
      expect(refusal(withExts(extension(oid, bytes(0x02, 0x01, 0x01), true)))).toEqual({
        code: 'ERR_CRL_CRITICAL_EXTENSION',
        message: `the CRL carries the unknown critical extension ${oid}`,
        details: { oid },
      });
    }
  });

  it('unknown non-critical CRL extensions are ignored', () => {
    expect(refusal(withExts(extension('1.3.6.1.4.1.99999.3', bytes(0x05, 0x00))))).toBeUndefined();
  });

  it('entry extensions that are not id-ce, or beyond id-ce 31, do not collide with each other or with known ones', () => {
    // Fault: a duplicate check by bit that maps every other OID (or id-ce 32 + n) onto a known extension's bit.
    const info = parseCrlDer(
      withEntry(
        extension('1.3.6.1.4.1.99999.1', bytes(0x05, 0x00)),
        extension('1.3.6.1.4.1.99999.2', bytes(0x05, 0x00)),
        extension('2.5.29.0', bytes(0x05, 0x00)),
        extension('2.5.29.32', bytes(0x05, 0x00)),
        extension('2.5.29.53', bytes(0x05, 0x00)),
        reason(1),
      ),
    );
    expect(info.refusal).toBeUndefined();
    expect(info.entries.get('05')).toEqual({ reasonCode: 1, reason: 'keyCompromise' });
  });

  it('a revocation date in GeneralizedTime is read', () => {
    const late = tlv(0x18, new TextEncoder().encode('20500101000000Z'));
    const info = parseCrlDer(crl({ fields: tbs(seq(seq(tlv(0x02, bytes(0x07)), late)), exts(NUMBER([1]))) }));
    expect(info.refusal).toBeUndefined();
    expect(info.entries.has('07')).toBe(true);
  });
});
