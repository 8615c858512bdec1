/** CRL issuance from the store: the issuing CA's CRL (crl.pem) and the root's CRL for the issuing CA (root-crl.pem). */
import { chmod } from 'node:fs/promises';
import * as x509 from '@peculiar/x509';
import {
  buildCrlDer,
  LARGE_CRL_PARSE_OPTIONS,
  type IssuerMaterial,
  type RevocationReasonCode,
} from '@helmlink/protocol';
import { writeFileAtomic } from '@helmlink/protocol/node';
import type { CaStore } from '../store/types';
import { checkpointExtension, type AuditCheckpoint } from './checkpoint';
import { caPaths } from './files';

export interface IssuedCrl {
  /** The parsed CRL (parsed on first use: a CRL with 100,000 entries takes seconds to parse). */
  readonly crl: x509.X509Crl;
  number: number;
  der: Uint8Array;
  pem: string;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: number;
}

/** PEM with the `X509 CRL` label (Buffer base64: megabytes for large CRLs). */
function crlPem(der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN X509 CRL-----\n${lines.join('\n')}\n-----END X509 CRL-----\n`;
}

/** Default root CRL lifetime: the root is offline and signs rarely. */
export const ROOT_CRL_VALIDITY_SECONDS = 180 * 86_400;

/**
 * Builds the next CRL of the issuing CA from the store (every revoked or held, unexpired certificate), bumps the CRL
 * number in the store and writes `crl.pem` (label `X509 CRL`) atomically.
 */
export async function issueCrlFile(p: {
  store: CaStore;
  issuer: IssuerMaterial;
  dir: string;
  now: Date;
  validitySeconds: number;
  /** The signed audit checkpoint the CRL carries (a non-critical extension). */
  checkpoint?: AuditCheckpoint | undefined;
}): Promise<IssuedCrl> {
  // The status version this CRL reflects: a status change written by any path (another process included) after it
  // makes the CRL stale (CrlSchedule.ensureFresh).
  const version = p.store.statusVersion();
  const entries = p.store.listRevoked(p.now.getTime()).map((e) => ({
    serial: e.serial,
    revokedAt: new Date(e.revokedAt ?? p.now.getTime()),
    ...(e.reason !== null ? { reason: e.reason as RevocationReasonCode } : {}),
  }));
  const number = p.store.transaction(() => {
    p.store.setCrlVersion('issuing', version);
    return p.store.nextCrlNumber('issuing');
  });
  const thisUpdate = new Date(p.now.getTime() - 60_000);
  const nextUpdate = new Date(p.now.getTime() + p.validitySeconds * 1000);
  const der = await buildCrlDer({
    issuer: p.issuer,
    crlNumber: number,
    thisUpdate,
    nextUpdate,
    entries,
    ...(p.checkpoint ? { extensions: [checkpointExtension(p.checkpoint)] } : {}),
  });
  const pem = crlPem(der);
  const file = caPaths(p.dir).crl;
  writeFileAtomic(file, pem, { mode: 0o644 });
  await chmod(file, 0o644);
  return issuedCrl(der, pem, number, thisUpdate, nextUpdate, entries.length);
}

/** Builds the root's CRL (covering the issuing CA; empty unless the issuing CA was revoked) and writes `root-crl.pem`. */
export async function issueRootCrlFile(p: {
  store: CaStore;
  root: IssuerMaterial;
  dir: string;
  now: Date;
  validitySeconds?: number;
}): Promise<IssuedCrl> {
  const number = p.store.transaction(() => p.store.nextCrlNumber('root'));
  const thisUpdate = new Date(p.now.getTime() - 60_000);
  const nextUpdate = new Date(p.now.getTime() + (p.validitySeconds ?? ROOT_CRL_VALIDITY_SECONDS) * 1000);
  const der = await buildCrlDer({ issuer: p.root, crlNumber: number, thisUpdate, nextUpdate, entries: [] });
  const pem = crlPem(der);
  writeFileAtomic(caPaths(p.dir).rootCrl, pem, { mode: 0o644 });
  return issuedCrl(der, pem, number, thisUpdate, nextUpdate, 0);
}

/** An IssuedCrl whose parsed form is created lazily. */
export function issuedCrl(
  der: Uint8Array,
  pem: string,
  number: number,
  thisUpdate: Date,
  nextUpdate: Date,
  entries: number,
): IssuedCrl {
  let parsed: x509.X509Crl | undefined;
  return {
    get crl() {
      parsed ??= new x509.X509Crl(der.slice().buffer as ArrayBuffer, LARGE_CRL_PARSE_OPTIONS);
      return parsed;
    },
    number,
    der,
    pem,
    thisUpdate,
    nextUpdate,
    entries,
  };
}
