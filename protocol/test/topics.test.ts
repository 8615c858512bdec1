import { describe, expect, it } from 'vitest';
import { assertTopicId, parseTopic, topics, CRL_TOPIC } from '../src/topics';
import { HelmlinkError } from '../src/errors';

describe('topics', () => {
  it('builds the vessel topics', () => {
    expect(topics.cmd('imo9074729')).toBe('helmlink/v1/vessels/imo9074729/cmd');
    expect(topics.ack('v1')).toBe('helmlink/v1/vessels/v1/ack');
    expect(topics.state('v1')).toBe('helmlink/v1/vessels/v1/state');
    expect(topics.data('v1', 'NAVD')).toBe('helmlink/v1/vessels/v1/data/NAVD');
    expect(topics.crl()).toBe('helmlink/v1/pki/crl');
  });

  it.each(['', 'a+b', 'a#', 'a/b', 'a\u0000b', 'x'.repeat(129)])(
    'rejects the id %j with ERR_ID_INVALID',
    (id) => {
      expect(() => topics.cmd(id)).toThrowError(HelmlinkError);
      try {
        assertTopicId(id);
      } catch (err) {
        expect((err as HelmlinkError).code).toBe('ERR_ID_INVALID');
      }
    },
  );

  it('rejects non-string ids', () => {
    expect(() => assertTopicId(42)).toThrow(/non-empty string/);
  });

  it('parses topics of the scheme and nothing else', () => {
    expect(parseTopic('helmlink/v1/vessels/v1/cmd')).toEqual({ kind: 'cmd', vesselId: 'v1' });
    expect(parseTopic('helmlink/v1/vessels/v1/data/NAVD')).toEqual({
      kind: 'data',
      vesselId: 'v1',
      streamId: 'NAVD',
    });
    expect(parseTopic(CRL_TOPIC)).toEqual({ kind: 'crl' });
    expect(parseTopic(topics.alert('v1'))).toEqual({ kind: 'alert', vesselId: 'v1' });
    expect(parseTopic(topics.link('v1'))).toEqual({ kind: 'link', vesselId: 'v1' });
    expect(topics.alert('v1')).toBe('helmlink/v1/vessels/v1/alert');
    expect(topics.link('v1')).toBe('helmlink/v1/vessels/v1/link');
    expect(parseTopic('helmlink/v1/vessels/v1/other')).toBeUndefined();
    expect(parseTopic('helmlink/v2/vessels/v1/cmd')).toBeUndefined();
    expect(parseTopic('helmlink/v1/vessels/v1/data/a/b')).toBeUndefined();
  });
});
