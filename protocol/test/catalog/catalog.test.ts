import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CATALOG,
  IEC_61162_450_CATALOG,
  criticalAddresses,
  isStreamAddress,
  parseCatalog,
  parseCatalogJson,
  parseStreamAddress,
  totalBitrate,
} from '../../src/catalog';
import { isHelmlinkError } from '../../src/errors';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isHelmlinkError(err) ? err.code : `not coded: ${String(err)}`;
  }
  return undefined;
}

describe('stream addresses', () => {
  it('accepts canonical IPv4 multicast group:port', () => {
    expect(parseStreamAddress('239.192.0.1:60001')).toEqual({ group: '239.192.0.1', port: 60001 });
    expect(isStreamAddress('224.0.0.0:1')).toBe(true);
    expect(isStreamAddress('239.255.255.255:65535')).toBe(true);
  });

  it.each([
    ['unicast group', '192.168.0.1:60001'],
    ['class E', '240.0.0.1:60001'],
    ['port 0', '239.192.0.1:0'],
    ['port too high', '239.192.0.1:65536'],
    ['leading zero in octet', '239.192.0.01:60001'],
    ['leading zero in port', '239.192.0.1:060001'],
    ['no port', '239.192.0.1'],
    ['hostname', 'example.org:60001'],
    ['octet over 255', '239.256.0.1:60001'],
    ['IPv6', '[ff02::1]:60001'],
    ['whitespace', ' 239.192.0.1:60001'],
  ])('rejects %s with ERR_STREAM_ADDRESS_INVALID', (_name, address) => {
    expect(codeOf(() => parseStreamAddress(address))).toBe('ERR_STREAM_ADDRESS_INVALID');
  });
});

describe('default catalogs', () => {
  it('holds the eight IEC 61162-450 groups 239.192.0.1-8 : 60001-60008 in order', () => {
    const ids = IEC_61162_450_CATALOG.streams.map((s) => s.id);
    expect(ids).toEqual(['MISC', 'TGTD', 'SATD', 'NAVD', 'VDRD', 'RCOM', 'TIME', 'PROP']);
    IEC_61162_450_CATALOG.streams.forEach((s, i) =>
      expect(s.address).toBe(`239.192.0.${i + 1}:${60001 + i}`),
    );
  });

  it('marks TGTD and NAVD navigation-critical', () => {
    expect(criticalAddresses(DEFAULT_CATALOG)).toEqual(['239.192.0.2:60002', '239.192.0.4:60004']);
  });

  it('adds camera and radar-video examples and validates', () => {
    expect(parseCatalog(DEFAULT_CATALOG)).toEqual(DEFAULT_CATALOG);
    expect(DEFAULT_CATALOG.streams.map((s) => s.kind)).toEqual(
      expect.arrayContaining(['camera', 'radar-video', 'iec61162-450']),
    );
    expect(totalBitrate(DEFAULT_CATALOG, ['239.192.1.1:60101', '239.192.0.7:60007'])).toBe(4_008_000);
  });
});

describe('catalog validation', () => {
  const entry = { id: 'CAM', name: 'Camera', kind: 'camera', address: '239.192.1.1:60101', bitrateBps: 1000 };

  it('parses catalog JSON', () => {
    expect(parseCatalogJson(JSON.stringify({ streams: [entry] })).streams[0]!.id).toBe('CAM');
  });

  it.each([
    ['not JSON', '{'],
    ['no streams', '{}'],
    ['empty list', '{"streams":[]}'],
    ['bad address', JSON.stringify({ streams: [{ ...entry, address: '10.0.0.1:5000' }] })],
    ['duplicate id', JSON.stringify({ streams: [entry, { ...entry, address: '239.192.1.2:60102' }] })],
    ['duplicate address', JSON.stringify({ streams: [entry, { ...entry, id: 'CAM2' }] })],
    ['unknown kind', JSON.stringify({ streams: [{ ...entry, kind: 'audio' }] })],
    ['id with a topic wildcard', JSON.stringify({ streams: [{ ...entry, id: 'a/b' }] })],
    ['negative bitrate', JSON.stringify({ streams: [{ ...entry, bitrateBps: -1 }] })],
    ['unknown field', JSON.stringify({ streams: [{ ...entry, colour: 'red' }] })],
  ])('rejects %s with ERR_CATALOG_INVALID', (_name, text) => {
    expect(codeOf(() => parseCatalogJson(text))).toBe('ERR_CATALOG_INVALID');
  });
});
