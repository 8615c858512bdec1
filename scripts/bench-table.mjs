// The summary table of `npm run bench` (scripts/bench.mjs): each figure read from its benchmark's JSON by field
// name, beside its goal (issue 12) and the thesis-style peer's figure from the same run.

/** Depth-first list of [path, value] for every number in a JSON value. */
function numbers(value, path = []) {
  if (typeof value === 'number') return [[path.join('.'), value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, [...path, String(i)]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => numbers(v, [...path, k]));
  return [];
}

/** The first number whose path matches `re` (and not `not`). */
function pick(json, re, not) {
  const hit = numbers(json).find(([p]) => re.test(p) && !(not && not.test(p)));
  return hit ? { path: hit[0], value: hit[1] } : undefined;
}

/** Rows of the summary table, read from each benchmark's JSON by field name; `peer` is the peer's figure. */
export function summarize(results, peer) {
  const rows = [];
  const add = (figure, source, found, unit, target, peerValue = null) =>
    rows.push({
      figure,
      value: found ? found.value : null,
      unit,
      target,
      peer: peerValue,
      source: found ? `${source}: ${found.path}` : `${source}: not reported`,
    });
  vesselRows(add, rows, results, peer);
  linkRows(add, results);
  otherRows(add, results);
  consoleRows(add, results);
  fleetRows(add, results);
  return rows;
}

/** The round trip, side by side with the peer. */
function vesselRows(add, rows, results, peer) {
  const cached = peer.cached?.json;
  const fetched = peer.fetch?.json;
  const vessel = results.vessel?.json;
  const vesselNoFsync = vessel?.results?.find?.((r) => r.fsync === false);
  const vesselFsync = vessel?.results?.find?.((r) => r.fsync === true) ?? vessel;
  add(
    'round trip p50, state fsynced (sign → broker → verify+persist+ack → verify ack)',
    'vessel',
    pick(vesselFsync, /latency\.p50/iu),
    'ms',
    '≤ 0.8',
    cached?.p50_ms ?? null,
  );
  add(
    'round trip p99, state fsynced',
    'vessel',
    pick(vesselFsync, /latency\.p99/iu),
    'ms',
    '≤ 4',
    cached?.p99_ms ?? null,
  );
  add(
    'commands/s, 32 in flight, state fsynced',
    'vessel',
    pick(vesselFsync, /commandsPerSecond/iu),
    '/s',
    '≥ 3,000',
    cached?.commands_per_s ?? null,
  );
  if (vesselNoFsync) {
    add('round trip p50, no fsync', 'vessel', pick(vesselNoFsync, /latency\.p50/iu), 'ms', '—');
    add(
      'commands/s, 32 in flight, no fsync',
      'vessel',
      pick(vesselNoFsync, /commandsPerSecond/iu),
      '/s',
      '—',
    );
  }
  if (fetched)
    rows.push({
      figure: 'peer fetching certificate + CRL per message (thesis path): round trip p50',
      value: null,
      unit: 'ms',
      target: '—',
      peer: fetched.p50_ms ?? null,
      source: 'peer --mode fetch',
    });
  for (const [stage, ms] of Object.entries(vesselFsync?.stagesMs ?? {}))
    add(
      `  where it goes (fsync on, median): ${stage}`,
      'vessel',
      { path: `stagesMs.${stage}`, value: ms },
      'ms',
      '—',
    );
}

/** bench:link, per link profile. */
function linkRows(add, results) {
  const link = results.link?.json?.results ?? [];
  for (const r of link) {
    const name = r.profile;
    add(
      `${name}: command → verified ack p50 (RTT ${r.rttMs} ms)`,
      'link',
      pick(r, /roundTrip\.p50/u),
      'ms',
      name.startsWith('GEO') ? `≤ ${r.rttMs + 100}` : '—',
    );
    add(`${name}: command + ack on the wire`, 'link', pick(r, /commandPlusAck/u), 'B', '≤ 3,000');
    add(`${name}: reconnect, handshake included`, 'link', pick(r, /bytes\.reconnect/u), 'B', '—');
    add(
      `${name}: link return → first command applied`,
      'link',
      pick(r, /linkReturnToAppliedMs/u),
      'ms',
      '≤ 3,000',
    );
  }
}

/** Verification, path validation, the CA. */
function otherRows(add, results) {
  const verify = results.verify?.json;
  const es256 =
    verify?.results?.find?.((r) => r.alg === 'ES256' && r.verifier === 'node') ??
    verify?.results?.find?.((r) => r.alg === 'ES256') ??
    verify;
  add(
    'verifications/s, warm, one core (ES256)',
    'verify',
    pick(es256, /warmPerCpuSecond/iu),
    '/s',
    '≥ 10,000',
  );
  add(
    '  bare ES256 signature checks/s, same tokens',
    'verify',
    pick(es256, /signatureOnlyPerCpuSecond/iu),
    '/s',
    '—',
  );
  add('first-seen signer verification (cold)', 'verify', pick(es256, /cold/iu), 'ms', '—');
  const pki = results.pki?.json;
  const pkiEs256 = Array.isArray(pki) ? (pki.find((r) => r.alg === 'ES256') ?? pki[0]) : pki;
  add(
    'X.509 path validations/s with CRL, first-seen chain, one core',
    'pki',
    pick(pkiEs256, /cold.*perCpuSecond/iu),
    '/s',
    '—',
  );
  const ca = results.ca?.json;
  add(
    'enrollments/s over HTTPS (P-256)',
    'ca',
    pick(ca, /enroll.*(per|\/)s|enrollmentsPerSecond|perSecond/iu, /crl/iu),
    '/s',
    '≥ 1,000',
  );
  add(
    '  CPU per enrollment in the CA server (all threads)',
    'ca',
    pick(ca, /serverCpuMsPerEnrollment/u),
    'ms',
    '≤ 1 (for 1,000/s on one core)',
  );
  add('  CPU per enrollment in the clients', 'ca', pick(ca, /clientCpuMsPerEnrollment/u), 'ms', '—');
  add(
    'CRL build, 100,000 entries',
    'ca',
    pick(ca, /crl.*(ms|millis|seconds)/iu),
    pick(ca, /crl.*seconds/iu) ? 's' : 'ms',
    '< 2 s',
  );
}

/** bench:console (Chromium). */
function consoleRows(add, results) {
  const consoleBench = results.console?.json;
  add(
    'console page interactive, 500 vessels (Chromium, median)',
    'console',
    pick(consoleBench, /interactiveMs\.median/u),
    'ms',
    '≤ 1,000',
  );
  add(
    'console state update → painted, 500 vessels (p95)',
    'console',
    pick(consoleBench, /^updateRepaintMs\.p95/u),
    'ms',
    '≤ 16',
  );
}

/** bench:fleet. */
function fleetRows(add, results) {
  const fleet = results.fleet?.json;
  const n = fleet?.vessels ?? 500;
  add(
    `fleet of ${n}: connect storm after a broker restart`,
    'fleet',
    pick(fleet, /connectStormSeconds/u),
    's',
    '≤ 30',
  );
  add(
    `  p90 of the vessels ready (the broker itself was back after ${fleet?.connectStorm?.brokerBackSeconds ?? '?'} s)`,
    'fleet',
    pick(fleet, /connectStorm\.p90/u),
    's',
    '—',
  );
  add(
    `  floor: ${n} bare mutual-TLS connects at once, same process and broker`,
    'fleet',
    pick(fleet, /^connectFloor\.seconds/u),
    's',
    '—',
  );
  add(
    `fleet of ${n}: broker memory per vessel connection`,
    'fleet',
    pick(fleet, /brokerKiBPerConnection/u),
    'KiB',
    '—',
  );
  add(`fleet of ${n}: console memory per vessel`, 'fleet', pick(fleet, /consoleKiBPerVessel/u), 'KiB', '—');
  add(`fleet of ${n}: state fan-in, all verified`, 'fleet', pick(fleet, /stateFanInSeconds/u), 's', '—');
  add(
    `fleet of ${n}: revocation → every vessel holds the CRL, p50`,
    'fleet',
    pick(fleet, /revocationMs\.p50/u),
    'ms',
    '—',
  );
  add(
    `fleet of ${n}: revocation → every vessel holds the CRL, p99`,
    'fleet',
    pick(fleet, /revocationMs\.p99/u),
    'ms',
    '≤ 2,000',
  );
  add(
    `fleet of ${n}: a command to each → all verified acks`,
    'fleet',
    pick(fleet, /commandsAckedSeconds/u),
    's',
    '≤ 2',
  );
  add(
    `fleet of ${n}: CPU per 1,000 commands, end to end`,
    'fleet',
    pick(fleet, /cpuSecondsPer1000Commands/u),
    's',
    '—',
  );
}
