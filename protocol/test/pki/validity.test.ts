/**
 * Validity at whole-second precision (RFC 5280 4.1.2.5; validity.ts, context.ts) and the strict X.509 time
 * reader (der.ts readTime).
 */
import '../../src/reflect';
import { describe, expect, it } from 'vitest';
import { readTime, readTlv } from '../../src/pki/der';
import { tlv } from '../../src/pki/der-writer';
import { validatePath } from '../../src/pki/validate';
import { forgeCa, forgedPathOptions, forgeLeaf, forgeRoot } from './forge';
import { codeOf, rejection } from './helpers';

const NOT_BEFORE = new Date('2024-03-01T00:00:01Z');
const NOT_AFTER = new Date('2024-04-01T00:00:00Z');

describe('validity in whole seconds', () => {
  it('valid through the whole second of notAfter and from the second of notBefore, inclusive', async () => {
    const root = await forgeRoot('Validity Root', { notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
    const ica = await forgeCa('ICA', root, { notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
    const leaf = await forgeLeaf('leaf', ica, { notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
    const at = (ms: number) =>
      validatePath(leaf.certificate, forgedPathOptions([root], [ica], { time: new Date(ms) }));
    await expect(at(NOT_AFTER.getTime())).resolves.toBeDefined();
    await expect(at(NOT_AFTER.getTime() + 5)).resolves.toBeDefined();
    await expect(at(NOT_AFTER.getTime() + 999)).resolves.toBeDefined();
    expect(await codeOf(at(NOT_AFTER.getTime() + 1000))).toBe('ERR_CHAIN_EXPIRED');
    await expect(at(NOT_BEFORE.getTime())).resolves.toBeDefined();
    expect(await codeOf(at(NOT_BEFORE.getTime() - 1))).toBe('ERR_CHAIN_NOT_YET_VALID');
  });

  it('names the certificate and the boundary it crossed, so an operator sees which clock or certificate is wrong', async () => {
    // Fault: a ship whose clock runs a second behind sees the leaf one second before its notBefore, and one whose
    // certificate lapsed sees it one second after its notAfter; the refusal must say which bound, and of what.
    const root = await forgeRoot('Wide Root', {
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
    });
    const leaf = await forgeLeaf('bounded leaf', root, { notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
    const at = (ms: number) =>
      rejection(validatePath(leaf.certificate, forgedPathOptions([root], [], { time: new Date(ms) })));
    const early = await at(NOT_BEFORE.getTime() - 1000);
    expect(early.code).toBe('ERR_CHAIN_NOT_YET_VALID');
    expect(early.message).toBe(`"${leaf.certificate.subject}" is not valid before 2024-03-01T00:00:01.000Z`);
    expect(early.details).toMatchObject({ notBefore: '2024-03-01T00:00:01.000Z' });
    const late = await at(NOT_AFTER.getTime() + 1000);
    expect(late.code).toBe('ERR_CHAIN_EXPIRED');
    expect(late.message).toBe(`"${leaf.certificate.subject}" expired at 2024-04-01T00:00:00.000Z`);
    expect(late.details).toMatchObject({ notAfter: '2024-04-01T00:00:00.000Z' });
  });
});

describe('readTime', () => {
  const time = (tag: number, text: string) => {
    const der = tlv(tag, new TextEncoder().encode(text));
    return readTime(der, readTlv(der, 0));
  };

  it('reads UTCTime (YY >= 50 is 19YY) and GeneralizedTime in whole seconds with Z', () => {
    expect(time(0x17, '491231235959Z')).toBe(Date.parse('2049-12-31T23:59:59Z'));
    expect(time(0x17, '500101000000Z')).toBe(Date.parse('1950-01-01T00:00:00Z'));
    expect(time(0x18, '20500101000000Z')).toBe(Date.parse('2050-01-01T00:00:00Z'));
    expect(new Date(time(0x18, '00010101000000Z')).getUTCFullYear()).toBe(1);
    expect(new Date(time(0x18, '00990101000000Z')).getUTCFullYear()).toBe(99);
  });

  it('refuses fractional seconds, offsets, missing seconds and dates that do not exist', () => {
    for (const [tag, text] of [
      [0x18, '20240101000000.5Z'],
      [0x17, '2401010000Z'],
      [0x17, '240101000000+0100'],
      [0x17, '240231000000Z'],
      [0x17, '241301000000Z'],
      [0x17, '240101246000Z'],
      [0x17, '24010100000aZ'],
      [0x17, '2401010000005Z'],
      [0x04, '240101000000Z'],
    ] as const) {
      expect(() => time(tag, text), text).toThrow(RangeError);
    }
  });
});
