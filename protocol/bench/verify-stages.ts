/**
 * Per-stage cost of a warm command verification (`npm run bench:verify` prints it under the rates): each stage of
 * `openEnvelope` + `verifyCommand` run on its own over the same tokens, in CPU microseconds per token, next to
 * the full verification. The stages are the hot path's own functions, called as verifyCommand calls them; what
 * the full figure has beyond their sum is the async steps (awaits, the result object) and the error handling.
 */
import { base64url } from 'jose';
import type { StreamCatalog } from '../src/catalog';
import { checkStreamsSet } from '../src/command/check';
import { parseCommand } from '../src/command/parse';
import { checkTimes, numericDateClaim, requireClaims, stringClaim, uuidClaim } from '../src/envelope/claims';
import { checkTokenSize, decodeJsonSegment } from '../src/envelope/header';
import { recordReplay, rejectUnknownClaims, resolve, signingInputOf } from '../src/envelope/open';
import { MemoryReplayStore } from '../src/replay';
import { TYP_COMMAND } from '../src/envelope/types';
import type { Trust } from '../src/envelope/trust';
import type { JwsAlgorithm } from '../src/vocabulary';

/** CPU µs per call of `fn` over every token. */
async function cpuMicros(tokens: readonly string[], fn: (t: string) => unknown): Promise<number> {
  const c0 = process.cpuUsage();
  for (const t of tokens) await fn(t);
  const c = process.cpuUsage(c0);
  return Math.round(((c.user + c.system) / tokens.length) * 10) / 10;
}

/** Stage → CPU µs per token (warm: the trust has seen the signer, the header cache is filled). */
export async function verifyStages(
  tokens: readonly string[],
  trust: Trust,
  algorithms: readonly JwsAlgorithm[],
  nowMs: number,
  catalog: StreamCatalog,
): Promise<Record<string, number>> {
  const r = resolve({ trust, clock: () => nowMs, algorithms });
  const parts = (t: string) => checkTokenSize(t, r.maxBytes);
  const checked = (t: string) => trust.header(t.slice(0, parts(t).dot1), TYP_COMMAND, r.algorithms);
  const first = checked(tokens[0]!);
  const x5c = first.header.x5c;
  if (!x5c) throw new TypeError('command tokens name their signer by x5c');
  const signer = await trust.signer(x5c, first.header.alg, nowMs, first.chainKey);
  const out: Record<string, number> = {};
  out['size + split'] = await cpuMicros(tokens, parts);
  out['header (cached by its bytes)'] = await cpuMicros(tokens, checked);
  out['signer (chain cache hit, CRL generation check)'] = await cpuMicros(tokens, () =>
    trust.signer(x5c, first.header.alg, nowMs, first.chainKey),
  );
  out['signature decode'] = await cpuMicros(tokens, (t) => base64url.decode(t.slice(t.lastIndexOf('.') + 1)));
  const inputs = tokens.map((t) => ({
    sig: base64url.decode(t.slice(t.lastIndexOf('.') + 1)),
    end: t.lastIndexOf('.'),
    t,
  }));
  let i = 0;
  out['signing input'] = await cpuMicros(tokens, (t) => signingInputOf(t, t.lastIndexOf('.')));
  out['signature verify (the bare rate)'] = await cpuMicros(tokens, () => {
    const x = inputs[i++ % inputs.length]!;
    return trust.verifySignature(first.header.alg, signer.key, x.sig, signingInputOf(x.t, x.end));
  });
  out['payload decode'] = await cpuMicros(tokens, (t) => {
    const p = parts(t);
    return decodeJsonSegment(t.slice(p.dot1 + 1, p.dot2), 'payload');
  });
  const payloads = new Map(
    tokens.map((t) => [t, decodeJsonSegment(t.slice(parts(t).dot1 + 1, parts(t).dot2), 'payload')]),
  );
  const NAMES = ['iss', 'aud', 'iat', 'nbf', 'exp', 'jti', 'cmd'] as const;
  out['claims (present, allowed, types, times)'] = await cpuMicros(tokens, (t) => {
    const c = payloads.get(t)!;
    requireClaims(c, NAMES);
    rejectUnknownClaims(c, NAMES);
    stringClaim(c, 'iss');
    stringClaim(c, 'aud');
    uuidClaim(c, 'jti');
    const times = {
      iat: numericDateClaim(c, 'iat'),
      nbf: numericDateClaim(c, 'nbf'),
      exp: numericDateClaim(c, 'exp'),
    };
    checkTimes(times, {
      now: nowMs / 1000,
      toleranceSeconds: r.tolerance,
      maxLifetimeSeconds: r.maxLifetime,
    });
  });
  out['command schema'] = await cpuMicros(tokens, (t) => parseCommand(payloads.get(t)!.cmd));
  const commands = new Map(tokens.map((t) => [t, parseCommand(payloads.get(t)!.cmd)]));
  out['catalog'] = await cpuMicros(tokens, (t) => checkStreamsSet(commands.get(t)!, catalog));
  const replay = new MemoryReplayStore();
  out['replay check-and-record (memory)'] = await cpuMicros(tokens, (t) => {
    const c = payloads.get(t)!;
    return recordReplay(replay, c.iss as string, c.jti as string, c.exp as number, r);
  });
  return out;
}
