/**
 * Keyed checkpoints of the audit log. The hash chain alone is unkeyed: whoever can write the database can drop the
 * last entries or rewrite one and recompute every later hash. A checkpoint is the chain's head (sequence number and
 * hash) signed with the issuing CA's key, and it is published outside the database: the file `audit-checkpoint.json`,
 * an `audit_checkpoint` alert (the webhook), a non-critical extension of every CRL (so the HTTP CRL, the retained CRL
 * topic and the broker's crl.pem carry it) and `helmlink ca export`. `helmlink ca audit verify` checks the log
 * against the latest checkpoint it is given.
 */
import { constants, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type * as x509 from '@peculiar/x509';
import {
  HelmlinkError,
  decodePem,
  readChildren,
  readTlv,
  signingAlgorithmFor,
  type IssuerMaterial,
} from '@helmlink/protocol';
import { writeFileAtomic } from '@helmlink/protocol/node';
import { canonicalJson } from '../store/audit-chain';
import type { CaStore } from '../store/types';

/**
 * The OID of the CRL extension carrying the checkpoint: a UUID OID (ITU-T X.667, arc 2.25), which needs no
 * registration. Its value is a UTF8String with the checkpoint JSON.
 */
export const AUDIT_CHECKPOINT_OID = '2.25.199740468451478658425946410384296358210';

/** A signed audit checkpoint. */
export interface AuditCheckpoint {
  v: 1;
  /** Sequence number of the last audit entry it covers. */
  seq: number;
  /** That entry's hash. */
  head: string;
  /** When it was signed (epoch ms). */
  at: number;
  /** The signature algorithm: ES256, ES384, EdDSA, RS256, RS384, RS512, PS256, PS384 or PS512. */
  alg: string;
  /** Base64url signature over the canonical JSON of the other fields. */
  sig: string;
}

type Unsigned = Omit<AuditCheckpoint, 'sig'>;

const NODE_HASH: Record<string, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** The JWS-style name of a WebCrypto signing algorithm. */
function algName(a: { name: string; hash?: string | { name: string } }): string {
  const hash = typeof a.hash === 'string' ? a.hash : a.hash?.name;
  const bits = hash?.slice(4) ?? '256';
  if (a.name === 'ECDSA') return `ES${bits}`;
  if (a.name === 'Ed25519') return 'EdDSA';
  if (a.name === 'RSA-PSS') return `PS${bits}`;
  return `RS${bits}`;
}

/** Signs the head of the audit log with the issuing CA key. Returns undefined for an empty log. */
export async function signCheckpoint(
  store: CaStore,
  issuing: IssuerMaterial,
  at: number,
): Promise<AuditCheckpoint | undefined> {
  const head = store.lastAudit();
  if (!head) return undefined;
  const algorithm = signingAlgorithmFor(issuing.privateKey) as { name: string; hash?: string };
  const unsigned: Unsigned = { v: 1, seq: head.seq, head: head.hash, at, alg: algName(algorithm) };
  const data = new TextEncoder().encode(canonicalJson(unsigned));
  const sig = await crypto.subtle.sign(algorithm, issuing.privateKey, data);
  return { ...unsigned, sig: Buffer.from(sig).toString('base64url') };
}

/** True when the checkpoint's signature verifies with the issuing CA certificate's key. */
export function checkpointSignatureValid(cp: AuditCheckpoint, issuingCert: x509.X509Certificate): boolean {
  try {
    const { sig, ...unsigned } = cp;
    const data = Buffer.from(canonicalJson(unsigned));
    const key = createPublicKey({
      key: Buffer.from(issuingCert.publicKey.rawData),
      format: 'der',
      type: 'spki',
    });
    const signature = Buffer.from(sig, 'base64url');
    const hash = NODE_HASH[`SHA-${cp.alg.slice(2)}`];
    if (cp.alg === 'EdDSA') return nodeVerify(null, data, key, signature);
    if (cp.alg.startsWith('ES')) return nodeVerify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    if (cp.alg.startsWith('PS'))
      return nodeVerify(
        hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        signature,
      );
    return nodeVerify(hash, data, key, signature);
  } catch {
    return false;
  }
}

/** Parses a checkpoint from JSON text (the checkpoint, an export or a webhook alert) or throws ERR_INPUT_INVALID. */
export function parseCheckpoint(text: string): AuditCheckpoint {
  try {
    // A checkpoint, the export ({auditCheckpoint}) or an alert as the webhook received it ({details: {checkpoint}}).
    const o = JSON.parse(text) as {
      auditCheckpoint?: AuditCheckpoint;
      details?: { checkpoint?: AuditCheckpoint };
    } & AuditCheckpoint;
    const cp = o.auditCheckpoint ?? o.details?.checkpoint ?? o;
    if (
      cp.v === 1 &&
      Number.isSafeInteger(cp.seq) &&
      typeof cp.head === 'string' &&
      typeof cp.alg === 'string' &&
      typeof cp.sig === 'string' &&
      Number.isSafeInteger(cp.at)
    )
      return cp;
  } catch {
    // fall through to the refusal
  }
  throw new HelmlinkError('ERR_INPUT_INVALID', 'not an audit checkpoint');
}

/** DER TLV with a definite length. */
function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len: number[] = [];
  if (n < 0x80) len.push(n);
  else {
    for (let v = n; v > 0; v = Math.floor(v / 256)) len.unshift(v & 0xff);
    len.unshift(0x80 | len.length);
  }
  return new Uint8Array([tag, ...len, ...content]);
}

/** DER of an OBJECT IDENTIFIER; arcs as bigints (a UUID arc has 128 bits). */
function oidDer(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  const out: number[] = [];
  const push = (v: bigint): void => {
    const groups = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) groups.unshift(Number(x & 0x7fn) | 0x80);
    out.push(...groups);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(0x06, new Uint8Array(out));
}

const CHECKPOINT_OID_DER = oidDer(AUDIT_CHECKPOINT_OID);

/** The non-critical CRL extension (DER Extension) carrying a checkpoint as a UTF8String of its JSON. */
export function checkpointExtension(cp: AuditCheckpoint): Uint8Array {
  const json = tlv(0x0c, new TextEncoder().encode(JSON.stringify(cp)));
  return tlv(0x30, new Uint8Array([...CHECKPOINT_OID_DER, ...tlv(0x04, json)]));
}

/** The checkpoint a CRL (DER) carries, if any: read with the DER reader (the OID has a 128-bit arc). */
function checkpointInCrl(der: Uint8Array): AuditCheckpoint | undefined {
  const tbs = readChildren(der, readTlv(der, 0))[0]!;
  const wrapper = readChildren(der, tbs).find((f) => f.tag === 0xa0);
  if (!wrapper) return undefined;
  for (const ext of readChildren(der, readTlv(der, wrapper.contentStart))) {
    const [oid, value] = readChildren(der, ext);
    if (!oid || !value || !Buffer.from(der.subarray(oid.start, oid.end)).equals(CHECKPOINT_OID_DER)) continue;
    const text = readTlv(der, value.contentStart);
    return parseCheckpoint(new TextDecoder().decode(der.subarray(text.contentStart, text.end)));
  }
  return undefined;
}

/**
 * Reads a checkpoint from a file: checkpoint JSON (or an export, or an alert as the webhook got it), or a CRL (PEM
 * `X509 CRL` or DER) that carries one. Throws ERR_INPUT_INVALID when there is none.
 */
export function readCheckpointFile(path: string): AuditCheckpoint {
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  if (text.trimStart().startsWith('{')) return parseCheckpoint(text);
  let der: Uint8Array = new Uint8Array(bytes);
  if (text.includes('-----BEGIN')) {
    const block = decodePem(text).find((b) => b.label === 'X509 CRL' || b.label === 'CRL');
    if (!block) throw new HelmlinkError('ERR_INPUT_INVALID', `${path} holds no CRL and no checkpoint`);
    der = block.der;
  }
  let cp: AuditCheckpoint | undefined;
  try {
    cp = checkpointInCrl(der);
  } catch (cause) {
    throw new HelmlinkError('ERR_INPUT_INVALID', `${path} is not a CRL`, { cause });
  }
  if (!cp) throw new HelmlinkError('ERR_INPUT_INVALID', `the CRL in ${path} carries no audit checkpoint`);
  return cp;
}

/** Writes the latest checkpoint next to the database (`audit-checkpoint.json`). */
export function writeCheckpointFile(path: string, cp: AuditCheckpoint): void {
  writeFileAtomic(path, `${JSON.stringify(cp)}\n`, { mode: 0o644 });
}
