/** Formatting helpers shared by the screens. Pure functions; no DOM. */

/** A bit rate in words a pilot reads at a glance: `512 bit/s`, `9.6 kbit/s`, `2.5 Mbit/s`. */
export function formatBitrate(bitsPerSecond: number): string {
  if (!Number.isFinite(bitsPerSecond) || bitsPerSecond < 0) return '—';
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let value = bitsPerSecond;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${Number(value.toFixed(digits))} ${units[unit]}`;
}

/** A message rate: `0 msg/s`, `0.5 msg/s`, `12 msg/s`. */
export function formatRate(messagesPerSecond: number): string {
  if (!Number.isFinite(messagesPerSecond) || messagesPerSecond <= 0) return '0 msg/s';
  return `${messagesPerSecond >= 10 ? Math.round(messagesPerSecond) : Number(messagesPerSecond.toFixed(1))} msg/s`;
}

/** A duration in milliseconds as `850 ms` or `1.2 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * A countdown to `target` from `now`, coarse enough to read: `3 d 4 h`, `5 h 12 min`, `4 min 10 s`,
 * or `expired 2 d ago` once past.
 */
export function formatCountdown(target: number, now: number): string {
  const diff = target - now;
  const past = diff < 0;
  let s = Math.floor(Math.abs(diff) / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const text = d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
  return past ? `expired ${text} ago` : text;
}

/** A timestamp (ms or ISO string) as local date and time, second precision. */
export function formatTime(value: number | string | undefined): string {
  if (value === undefined) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** How long ago `at` (epoch ms) was: `just now`, `12 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function formatAge(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 2) return 'just now';
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.floor(s / 60)} min ago`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** The local time zone offset of a date as `UTC+01:00`. */
function zoneOf(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A timestamp with its zone: `2026-11-22 03:00:01 UTC+01:00`. */
export function formatTimeZoned(value: number | string | undefined): string {
  if (value === undefined) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${formatTime(d.getTime())} ${zoneOf(d)}`;
}

/** A hex fingerprint grouped in pairs with colons, upper case (`AB:CD:…`). Accepts hex with or without colons. */
export function formatFingerprint(hex: string): string {
  const clean = hex.replace(/[^0-9a-f]/giu, '').toUpperCase();
  return clean.match(/.{1,2}/gu)?.join(':') ?? '';
}

/** Normalises a fingerprint typed or pasted by a user to lower-case hex; returns undefined unless 64 hex digits. */
export function normaliseSha256Fingerprint(input: string): string | undefined {
  const clean = input
    .trim()
    .replace(/^sha-?256[:=\s]*/iu, '')
    .replace(/[\s:]/gu, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/u.test(clean) ? clean : undefined;
}
