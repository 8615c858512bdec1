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

/** The refusal `fn` throws (a HelmlinkError), for asserting its code, message and details together. */
function refusal(fn: () => unknown): { code: string; message: string; details: unknown } {
  try {
    fn();
  } catch (err) {
    if (!isHelmlinkError(err)) throw err;
    return { code: err.code, message: err.message, details: err.details };
  }
  throw new Error('expected a refusal');
}

describe('parseCommand: what a refusal tells the pilot', () => {
  it('a null cmd claim (JSON null is typeof "object") is ERR_CMD_INVALID, not a crash', () => {
    expect(refusal(() => parseCommand(null))).toEqual({
      code: 'ERR_CMD_INVALID',
      message: 'the command must be a JSON object',
      details: undefined,
    });
  });

  it('an unsupported version is named, shortened to 16 characters (a hostile peer controls it)', () => {
    expect(refusal(() => parseCommand({ ...valid, v: 'x'.repeat(100) })).message).toBe(
      `command version "${'x'.repeat(15)} is not supported (expected 1)`,
    );
  });

  it('a missing or non-string type is ERR_CMD_TYPE_UNSUPPORTED and named as far as it can be', () => {
    const { type: _type, ...untyped } = valid;
    expect(refusal(() => parseCommand(untyped))).toEqual({
      code: 'ERR_CMD_TYPE_UNSUPPORTED',
      message: 'command type undefined is not supported',
      details: undefined,
    });
    expect(refusal(() => parseCommand({ ...valid, type: ['streams.set'] })).message).toBe(
      'command type ["streams.set"] is not supported',
    );
    expect(refusal(() => parseCommand({ ...valid, type: 'y'.repeat(100) })).message).toBe(
      `command type "${'y'.repeat(39)} is not supported`,
    );
  });

  it('a shape error names where it is: a field, or the command itself for an unknown field', () => {
    expect(refusal(() => parseCommand({ v: 1, type: 'streams.set', on: [] })).message).toMatch(
      /^invalid streams\.set command at off: ./u,
    );
    expect(refusal(() => parseCommand({ ...valid, on: [MISC, 42] })).message).toMatch(
      /^invalid streams\.set command at on\.1: ./u,
    );
    expect(refusal(() => parseCommand({ ...valid, force: true })).message).toMatch(
      /^invalid streams\.set command at command: .*force/u,
    );
  });

  it('a bad address in the off list is caught too (both lists are checked)', () => {
    expect(refusal(() => parseCommand({ ...valid, off: [VDRD, RCOM, TIME, '239.192.0.8:060008'] }))).toEqual({
      code: 'ERR_STREAM_ADDRESS_INVALID',
      message: 'not an IPv4 multicast group:port: "239.192.0.8:060008"',
      details: { address: '239.192.0.8:060008' },
    });
  });
});

describe('checkStreamsSet: what a refusal tells the pilot', () => {
  it('a duplicate names the stream and the list it repeats in', () => {
    expect(
      refusal(() => checkStreamsSet({ on: ALL.slice(1), off: [MISC, MISC] }, IEC_61162_450_CATALOG)),
    ).toEqual({
      code: 'ERR_STREAM_DUPLICATE',
      message: `stream ${MISC} is listed twice in off`,
      details: { address: MISC },
    });
  });

  it('a conflict names the stream switched both ways', () => {
    expect(refusal(() => checkStreamsSet({ on: [TGTD], off: ALL }, IEC_61162_450_CATALOG))).toEqual({
      code: 'ERR_STREAM_CONFLICT',
      message: `stream ${TGTD} is listed both on and off`,
      details: { address: TGTD },
    });
  });

  it('a stream from another vessel (not in this catalog) is named, in either list', () => {
    const foreign = '239.192.9.9:60999';
    expect(refusal(() => checkStreamsSet({ on: [], off: [...ALL, foreign] }, IEC_61162_450_CATALOG))).toEqual(
      {
        code: 'ERR_STREAM_UNKNOWN',
        message: `stream ${foreign} is not in the vessel catalog`,
        details: { address: foreign },
      },
    );
    expect(refusal(() => buildStreamsSet(IEC_61162_450_CATALOG, [foreign]))).toEqual({
      code: 'ERR_STREAM_UNKNOWN',
      message: `stream ${foreign} is not in the vessel catalog`,
      details: { address: foreign },
    });
  });

  it('a partial command lists every stream it leaves out', () => {
    expect(refusal(() => checkStreamsSet({ on: [MISC], off: [TGTD, PROP] }, IEC_61162_450_CATALOG))).toEqual({
      code: 'ERR_STREAM_MISSING',
      message: `specify all ports: ${[SATD, NAVD, VDRD, RCOM, TIME].join(', ')} missing`,
      details: { missing: [SATD, NAVD, VDRD, RCOM, TIME] },
    });
  });
});
