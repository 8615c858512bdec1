/**
 * `--simulate`: synthetic samples on `data/{streamId}` for every stream that is ON, nothing for OFF streams, so
 * operators and tests see toggles take effect. NMEA-like sentences for the IEC 61162-450 groups (with a valid
 * checksum), a frame counter for cameras and a sweep counter for radar video.
 */
import type { StreamDescriptor } from '@helmlink/protocol';

function nmea(body: string): string {
  let sum = 0;
  for (const ch of body) sum ^= ch.charCodeAt(0);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
}

function hhmmss(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}.00`;
}

/** One sample of `stream` number `n` at time `now`, as a JSON string. */
export function sampleFor(stream: StreamDescriptor, n: number, now: Date): string {
  let data: string;
  const t = hhmmss(now);
  switch (stream.id) {
    case 'NAVD':
      data = nmea(
        `GPRMC,${t},A,5957.${String(1000 + (n % 9000)).padStart(4, '0')},N,01043.1200,E,12.4,084.0,${now.getUTCDate().toString().padStart(2, '0')}1126,,,A`,
      );
      break;
    case 'TGTD':
      data = nmea(
        `RATTM,${String((n % 99) + 1).padStart(2, '0')},2.5,045.0,T,10.0,090.0,T,1.2,15.0,N,TGT${n % 99},T,,${t},A`,
      );
      break;
    case 'SATD':
      data = nmea(`HEHDT,${(84 + (n % 10) / 10).toFixed(1)},T`);
      break;
    case 'TIME':
      data = nmea(`GPZDA,${t},${now.getUTCDate()},${now.getUTCMonth() + 1},${now.getUTCFullYear()},00,00`);
      break;
    default:
      if (stream.kind === 'camera') data = `frame ${n}`;
      else if (stream.kind === 'radar-video') data = `sweep ${n}`;
      else data = nmea(`PHLM,${stream.id},${n}`);
  }
  return JSON.stringify({ stream: stream.id, address: stream.address, seq: n, ts: now.toISOString(), data });
}
