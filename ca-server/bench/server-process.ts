/**
 * The CA server of the benchmark, in its own process (as in production, the clients are elsewhere). Prints one JSON
 * line {url, rootFingerprint, tokens} and serves until SIGTERM. argv: DIR PASSPHRASE TOKENS
 */
import 'reflect-metadata';
import { startCaServer } from '../src/http/server';

const [dir, passphrase, count] = process.argv.slice(2);
const unlimited = {
  perAddress: { limit: 1e9, windowMs: 60_000 },
  perIdentity: { limit: 1e9, windowMs: 60_000 },
};
const server = await startCaServer({
  dir: dir!,
  passphrase: passphrase!,
  port: 0,
  rateLimits: { enroll: unlimited, renew: unlimited, revoke: unlimited },
  crlTimer: false,
});
const tokens: string[] = [];
for (let i = 0; i < Number(count); i++)
  tokens.push(server.authority.createEnrollmentToken({ entityId: `mv-bench-${i}`, roles: ['vessel'] }).token);
process.stdout.write(
  `${JSON.stringify({ url: server.url, rootFingerprint: server.rootFingerprint, tokens })}\n`,
);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
