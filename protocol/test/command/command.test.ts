import { describe, expect, it } from 'vitest';
import { IEC_61162_450_CATALOG } from '../../src/catalog';
import { buildStreamsSet, checkStreamsSet, parseCommand } from '../../src/command';
import { isHelmlinkError } from '../../src/errors';

const ALL = IEC_61162_450_CATALOG.streams.map((s) => s.address);
const [MISC, TGTD, SATD, NAVD, VDRD, RCOM, TIME, PROP] = ALL as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isHelmlinkError(err) ? err.code : `not coded: ${String(err)}`;
  }
  return undefined;
}

const valid = { v: 1, type: 'streams.set', on: [MISC, TGTD, SATD, NAVD], off: [VDRD, RCOM, TIME, PROP] };

describe('parseCommand', () => {
  it('accepts a streams.set command', () => {
    expect(parseCommand(valid)).toEqual(valid);
  });

  it.each([
    ['ERR_CMD_INVALID', 'not an object', 'streams.set'],
    ['ERR_CMD_INVALID', 'an array', [valid]],
    ['ERR_CMD_VERSION_UNSUPPORTED', 'version 2', { ...valid, v: 2 }],
    ['ERR_CMD_VERSION_UNSUPPORTED', 'no version', { type: 'streams.set', on: [], off: [] }],
    ['ERR_CMD_TYPE_UNSUPPORTED', 'an unknown type', { ...valid, type: 'engine.stop' }],
    ['ERR_CMD_INVALID', 'a missing off list', { v: 1, type: 'streams.set', on: [] }],
    ['ERR_CMD_INVALID', 'an extra field', { ...valid, force: true }],
    ['ERR_CMD_INVALID', 'a non-string entry', { ...valid, on: [42] }],
    ['ERR_STREAM_ADDRESS_INVALID', 'a unicast address', { ...valid, on: ['10.0.0.1:60001'] }],
    ['ERR_STREAM_ADDRESS_INVALID', 'port 0', { ...valid, off: ['239.192.0.8:0'] }],
  ])('returns %s for %s', (code, _name, value) => {
    expect(codeOf(() => parseCommand(value))).toBe(code);
  });
});

describe('checkStreamsSet against the catalog', () => {
  it('returns the state in catalog order', () => {
    expect(
      checkStreamsSet({ on: [NAVD, MISC], off: [PROP, TGTD, SATD, VDRD, RCOM, TIME] }, IEC_61162_450_CATALOG),
    ).toEqual({
      on: [MISC, NAVD],
      off: [TGTD, SATD, VDRD, RCOM, TIME, PROP],
    });
  });

  it('ERR_STREAM_DUPLICATE: a stream listed twice', () => {
    expect(
      codeOf(() => checkStreamsSet({ on: [MISC, MISC], off: ALL.slice(1) }, IEC_61162_450_CATALOG)),
    ).toBe('ERR_STREAM_DUPLICATE');
  });

  it('ERR_STREAM_CONFLICT: a stream both on and off', () => {
    expect(codeOf(() => checkStreamsSet({ on: [MISC], off: ALL }, IEC_61162_450_CATALOG))).toBe(
      'ERR_STREAM_CONFLICT',
    );
  });

  it('ERR_STREAM_UNKNOWN: a stream outside the catalog', () => {
    expect(
      codeOf(() => checkStreamsSet({ on: ['239.192.9.9:60999'], off: ALL }, IEC_61162_450_CATALOG)),
    ).toBe('ERR_STREAM_UNKNOWN');
  });

  it('ERR_STREAM_MISSING: specify all ports', () => {
    let err: unknown;
    try {
      checkStreamsSet({ on: [MISC], off: [TGTD] }, IEC_61162_450_CATALOG);
    } catch (e) {
      err = e;
    }
    expect(isHelmlinkError(err, 'ERR_STREAM_MISSING')).toBe(true);
    expect((err as Error).message).toContain('specify all ports');
  });

  it('builds a complete command from the streams to switch on', () => {
    const cmd = buildStreamsSet(IEC_61162_450_CATALOG, [NAVD]);
    expect(cmd).toEqual({ v: 1, type: 'streams.set', on: [NAVD], off: ALL.filter((a) => a !== NAVD) });
    expect(codeOf(() => buildStreamsSet(IEC_61162_450_CATALOG, ['239.192.9.9:1']))).toBe(
      'ERR_STREAM_UNKNOWN',
    );
  });
});
