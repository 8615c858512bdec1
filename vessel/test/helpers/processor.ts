/**
 * The per-command pipeline without MQTT: a code-generated PKI (vessel `MV`, `pilot-1`, `admin-1`), an issuing CRL,
 * a fresh state file and a {@link ProcessorContext} at the PKI's frozen time, plus ways to sign commands and to
 * verify the acks as a console would.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import {
  IEC_61162_450_CATALOG,
  buildStreamsSet,
  createTrust,
  signCommand,
  validatePath,
  verifyAck,
  type Trust,
} from '@helmlink/protocol';
import { nodeSignatureVerifier } from '@helmlink/protocol/node';
import { createTestPki, type TestEntity } from '@helmlink/protocol/testing';
import { StateStore, createNodeSigner, type ProcessorContext } from '../../src';
import { knownSigner } from './fleet';

export const NAVD = '239.192.0.4:60004';

export interface ProcessorFixtureOptions {
  /** The CRL's nextUpdate relative to now (negative: stale), its thisUpdate a day ago. Default: the test PKI's. */
  crlNextUpdateOffsetMs?: number;
  /** How long a stale CRL is still used, seconds (the trust's `staleGraceSeconds`). */
  staleGraceSeconds?: number;
}

/** A processor context over a real PKI and state file; every time is the PKI's frozen `now`. */
export async function processorFixture(o: ProcessorFixtureOptions = {}) {
  const pki = await createTestPki();
  const now = pki.now.getTime();
  const nowS = Math.floor(now / 1000);
  const vessel = await pki.issue('MV', ['vessel']);
  const pilot = await pki.issue('pilot-1', ['pilot']);
  const admin = await pki.issue('admin-1', ['admin']);
  const crl = await pki.issuingCrl(
    [],
    o.crlNextUpdateOffsetMs === undefined
      ? { crlNumber: 1 }
      : {
          crlNumber: 1,
          thisUpdate: new Date(now - 86_400_000),
          nextUpdate: new Date(now + o.crlNextUpdateOffsetMs),
        },
  );
  const trust = (mode: 'leaf' | 'off'): Trust =>
    createTrust({
      trustAnchors: [pki.root.certificate],
      intermediates: [pki.issuing.certificate],
      crls: [crl],
      revocation: {
        mode,
        ...(o.staleGraceSeconds !== undefined ? { staleGraceSeconds: o.staleGraceSeconds } : {}),
      },
      validatePath,
      signatureVerifier: nodeSignatureVerifier,
    });
  const dir = mkdtempSync(join(tmpdir(), 'vessel-process-'));
  const store = StateStore.open(join(dir, 'state.jsonl'), IEC_61162_450_CATALOG, {
    fsync: false,
    now: () => now,
  });
  const signer = createNodeSigner(vessel.keys.privateKey, vessel.chain);
  const ctx: ProcessorContext = {
    vesselId: 'MV',
    catalog: IEC_61162_450_CATALOG,
    store,
    trust: trust('leaf'),
    trustIgnoringRevocation: trust('off'),
    signer: () => signer,
    algorithms: ['ES256'],
    clockToleranceSeconds: 30,
    clock: () => now,
  };
  /** A command from `who` switching exactly `on` on, signed through the console's own path. */
  const sign = async (who: TestEntity, on: string[], extra: { jti?: string; clock?: () => number } = {}) =>
    (
      await signCommand(createNodeSigner(who.keys.privateKey, who.chain), {
        clock: () => now,
        audience: 'MV',
        cmd: buildStreamsSet(IEC_61162_450_CATALOG, on),
        ...extra,
      })
    ).token;
  /** A command with arbitrary claims and header, signed for real (for what signCommand refuses to write). */
  const signRaw = (
    claims: Record<string, unknown>,
    who: TestEntity = pilot,
    header: Record<string, unknown> = {
      x5c: who.chain.map((c) => Buffer.from(c.rawData).toString('base64')),
    },
  ) =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: 'ES256', typ: 'helmlink-cmd+jwt', ...header })
      .sign(who.keys.privateKey);
  /** Valid claims of a pilot-1 command to MV switching NAVD on, a fresh jti each time. */
  const baseClaims = () => ({
    iss: 'pilot-1',
    aud: 'MV',
    iat: nowS,
    nbf: nowS,
    exp: nowS + 30,
    jti: globalThis.crypto.randomUUID(),
    cmd: buildStreamsSet(IEC_61162_450_CATALOG, [NAVD]),
  });
  const ackTrust = trust('leaf');
  // Known on first use: under a stale CRL the vessel's certificate cannot be learnt (and the test needs no acks).
  let certificates: ReturnType<typeof knownSigner> | undefined;
  /** Verifies an ack to `token` as pilot-1's console does (the vessel certificate known from a verified state). */
  const ackOf = async (token: string, ack: string) =>
    verifyAck(ack, {
      trust: ackTrust,
      certificates: await (certificates ??= knownSigner(ackTrust, signer, 'MV')),
      clock: () => now,
      vesselId: 'MV',
      audience: 'pilot-1',
      commandToken: token,
    });
  return { pki, now, nowS, dir, vessel, pilot, admin, store, ctx, sign, signRaw, baseClaims, ackOf };
}
