import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '@helmlink/protocol';
import { sampleFor } from '../../src/simulate';

describe('simulated samples', () => {
  it('writes NMEA sentences with valid checksums for IEC groups and frame counters for cameras', () => {
    const now = new Date('2026-11-22T12:34:56Z');
    for (const stream of DEFAULT_CATALOG.streams) {
      const s = JSON.parse(sampleFor(stream, 7, now)) as { stream: string; seq: number; data: string };
      expect(s).toMatchObject({ stream: stream.id, seq: 7 });
      if (stream.kind === 'iec61162-450') {
        const m = /^\$(.+)\*([0-9A-F]{2})$/u.exec(s.data)!;
        let sum = 0;
        for (const ch of m[1]!) sum ^= ch.charCodeAt(0);
        expect(Number.parseInt(m[2]!, 16)).toBe(sum);
      } else {
        expect(s.data).toMatch(/^(frame|sweep) 7$/u);
      }
    }
  });
});
