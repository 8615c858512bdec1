/**
 * One-pass CRL parsing (RFC 5280 section 5) straight from the DER: the TBSCertList is walked once, every
 * revoked entry is checked and indexed as it is read (crl-index.ts), and no object is built per entry. A CRL of
 * 100,000 entries is parsed and indexed in a few milliseconds, a million in well under a second (npm run
 * bench:pki). Only the small fixed parts (algorithm identifier, issuer name, issuing distribution point, AKI)
 * are decoded with @peculiar/asn1-x509.
 *
 * Structural errors throw ERR_CRL_MALFORMED. Profile violations make the CRL unusable instead (`refusal`, thrown
 * when the CRL is used, so a refused CRL fails closed for every certificate it covers; ERR_CRL_PROFILE unless
 * noted):
 * - v1 CRLs and a missing CRL number (ERR_CRL_INVALID: 5.1.2.1, 5.2.3), a CRL number that is negative or
 *   longer than 20 octets (5.2.3);
 * - known extensions with the wrong criticality: CRL number, AKI, freshest CRL, AIA must be non-critical, the
 *   delta CRL indicator and the issuing distribution point critical (5.2.1-5.2.7); an IDP asserting more than one
 *   of onlyContainsUserCerts / onlyContainsCACerts / onlyContainsAttributeCerts (5.2.5);
 * - unknown critical CRL or entry extensions, certificateIssuer entries (indirect CRLs are not supported);
 * - two entries for one serial (fail closed: otherwise one of them would silently win, e.g. a removeFromCRL
 *   hiding a keyCompromise); a critical reasonCode or invalidityDate (5.3.1, 5.3.2); an unknown reason code,
 *   or removeFromCRL on a complete CRL (5.3.1: it only appears in delta CRLs).
 */
import '../reflect';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  IssuingDistributionPoint,
  Name,
} from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { HelmlinkError } from '../errors';
import { signatureScheme, type SignatureScheme } from './algorithms';
import { SerialIndex } from './crl-index';
import {
  bytesOf,
  contentOf,
  decodeOid,
  expectTlv,
  integerContent,
  readBoolean,
  readTime,
  readTlvInto,
  signedPart,
  type Tlv,
  toHex,
} from './der';
import { nameKey } from './names';
import { crlReason, REMOVE_FROM_CRL } from '../vocabulary/revocation';

/** Everything revocation checking needs from one CRL. */
export interface CrlInfo {
  raw: Uint8Array;
  tbs: Uint8Array;
  signature: Uint8Array;
  /** The accepted signature scheme, or the error that refuses it. */
  scheme: SignatureScheme | HelmlinkError;
  issuerName: Name;
  issuerKey: string;
  /** The issuer as text (for messages). */
  issuer: string;
  /** 1 (no version field) or 2. */
  version: number;
  thisUpdate: number;
  nextUpdate: number | undefined;
  number: bigint | undefined;
  /** BaseCRLNumber when this is a delta CRL. */
  deltaBase: bigint | undefined;
  idp: IssuingDistributionPoint | undefined;
  /** Equal for CRLs of the same scope (the IDP's DER, '' without one). */
  scopeKey: string;
  akiKeyId: string | undefined;
  /** Why the CRL cannot be used at all, if so. */
  refusal: HelmlinkError | undefined;
  entries: SerialIndex;
}

const OID_CE = [0x06, 0x03, 0x55, 0x1d];
const CE_CRL_NUMBER = 0x14;
const CE_DELTA_CRL_INDICATOR = 0x1b;
const CE_ISSUING_DISTRIBUTION_POINT = 0x1c;
const CE_AUTHORITY_KEY_ID = 0x23;
const CE_ISSUER_ALT_NAME = 0x12;
const CE_FRESHEST_CRL = 0x2e;
const CE_REASON = 0x15;
const CE_HOLD_INSTRUCTION = 0x17;
const CE_INVALIDITY_DATE = 0x18;
const CE_CERTIFICATE_ISSUER = 0x1d;
const OID_AIA = new Uint8Array([0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01]);
/** Smallest possible revoked entry: SEQUENCE { INTEGER (1 octet), UTCTime }. */
const MIN_ENTRY_BYTES = 20;

/** The last octet of an id-ce OID element at `el`, or -1 for any other OID. */
function idCe(buf: Uint8Array, el: Tlv): number {
  if (el.end - el.start !== 5) return -1;
  for (let i = 0; i < 4; i++) if (buf[el.start + i] !== OID_CE[i]) return -1;
  return buf[el.start + 4]!;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * One Extension { extnID, critical DEFAULT FALSE, extnValue OCTET STRING } at `el`: fills `oid` and `value`
 * (reused by the caller, no allocation) and returns the criticality.
 */
export function readExtension(buf: Uint8Array, el: Tlv, oid: Tlv, value: Tlv): boolean {
  if (el.tag !== 0x30) throw new RangeError('DER: an extension is not a SEQUENCE');
  readTlvInto(buf, el.contentStart, el.end, oid);
  if (oid.tag !== 0x06) throw new RangeError('DER: an extension without an OID');
  readTlvInto(buf, oid.end, el.end, value);
  let critical = false;
  if (value.tag === 0x01) {
    critical = readBoolean(buf, value);
    // DER omits a DEFAULT value: an explicit FALSE is not DER.
    if (!critical) throw new RangeError('DER: an explicit critical FALSE');
    readTlvInto(buf, value.end, el.end, value);
  }
  if (value.tag !== 0x04 || value.end !== el.end)
    throw new RangeError('DER: an extension value is not an OCTET STRING');
  return critical;
}

const newTlv = (): Tlv => ({ tag: 0, start: 0, contentStart: 0, end: 0 });

function profile(
  rule: string,
  message: string,
  code: 'ERR_CRL_PROFILE' | 'ERR_CRL_INVALID' = 'ERR_CRL_PROFILE',
): HelmlinkError {
  return new HelmlinkError(code, `${message} (RFC 5280 ${rule})`, { details: { rule } });
}

function integerAt(buf: Uint8Array, value: Tlv): { n: bigint; octets: number } {
  const inner = expectTlv(buf, value.contentStart, value.end, 0x02, 'an INTEGER');
  if (inner.end !== value.end || inner.end === inner.contentStart)
    throw new RangeError('DER: not an INTEGER');
  return { n: integerContent(contentOf(buf, inner)), octets: inner.end - inner.contentStart };
}

/** The CRL extensions ([0] EXPLICIT SEQUENCE OF Extension) into `info`. */
function readCrlExtensions(
  buf: Uint8Array,
  wrapper: Tlv,
  info: CrlInfo,
  refuse: (e: HelmlinkError) => void,
): void {
  const list = expectTlv(buf, wrapper.contentStart, wrapper.end, 0x30, 'the CRL extensions');
  if (list.end !== wrapper.end) throw new RangeError('DER: trailing data after the CRL extensions');
  const el = newTlv();
  const oid = newTlv();
  const value = newTlv();
  const seen = new Set<string>();
  for (let pos = list.contentStart; pos < list.end; pos = el.end) {
    readTlvInto(buf, pos, list.end, el);
    const critical = readExtension(buf, el, oid, value);
    const id = toHex(contentOf(buf, oid));
    if (seen.has(id)) throw new RangeError(`duplicate CRL extension ${decodeOid(buf, oid)}`);
    seen.add(id);
    const ce = idCe(buf, oid);
    const mustBe = (want: boolean, rule: string, name: string): void => {
      if (critical !== want)
        refuse(profile(rule, `the ${name} extension must be ${want ? 'critical' : 'non-critical'}`));
    };
    if (ce === CE_CRL_NUMBER) {
      const { n, octets } = integerAt(buf, value);
      info.number = n;
      mustBe(false, '5.2.3', 'CRL number');
      if (n < 0n || octets > 21 || (octets === 21 && buf[value.end - 21] !== 0))
        refuse(profile('5.2.3', 'the CRL number must be a non-negative integer of at most 20 octets'));
    } else if (ce === CE_DELTA_CRL_INDICATOR) {
      info.deltaBase = integerAt(buf, value).n;
      mustBe(true, '5.2.4', 'delta CRL indicator');
    } else if (ce === CE_ISSUING_DISTRIBUTION_POINT) {
      const idp = AsnConvert.parse(contentOf(buf, value), IssuingDistributionPoint);
      info.idp = idp;
      info.scopeKey = toHex(contentOf(buf, value));
      mustBe(true, '5.2.5', 'issuing distribution point');
      if (
        Number(idp.onlyContainsUserCerts) +
          Number(idp.onlyContainsCACerts) +
          Number(idp.onlyContainsAttributeCerts) >
        1
      ) {
        refuse(profile('5.2.5', 'the issuing distribution point asserts more than one onlyContains… scope'));
      }
    } else if (ce === CE_AUTHORITY_KEY_ID) {
      const aki = AsnConvert.parse(contentOf(buf, value), AuthorityKeyIdentifier);
      if (aki.keyIdentifier) info.akiKeyId = toHex(aki.keyIdentifier.buffer);
      mustBe(false, '5.2.1', 'authority key identifier');
    } else if (ce === CE_FRESHEST_CRL) {
      mustBe(false, '5.2.6', 'freshest CRL');
    } else if (ce === CE_ISSUER_ALT_NAME) {
      // SHOULD NOT be critical (5.2.2): a recommendation, not a refusal.
    } else if (sameBytes(bytesOf(buf, oid), OID_AIA)) {
      mustBe(false, '5.2.7', 'authority information access');
    } else if (critical) {
      const oidString = decodeOid(buf, oid);
      refuse(
        new HelmlinkError(
          'ERR_CRL_CRITICAL_EXTENSION',
          `the CRL carries the unknown critical extension ${oidString}`,
          { details: { oid: oidString } },
        ),
      );
    }
  }
}

/** Reused element views for the entry loop: nothing is allocated per entry. */
interface EntryScratch {
  entry: Tlv;
  t: Tlv;
  el: Tlv;
  oid: Tlv;
  value: Tlv;
}

/** The extensions of one revoked entry, in buf[start, end): returns its reason code (0 without one). */
function readEntryExtensions(
  buf: Uint8Array,
  start: number,
  end: number,
  s: EntryScratch,
  refuse: (e: HelmlinkError) => void,
): number {
  const { el, oid, value } = s;
  let reason = 0;
  let seen = 0;
  for (let pos = start; pos < end; pos = el.end) {
    readTlvInto(buf, pos, end, el);
    const critical = readExtension(buf, el, oid, value);
    const ce = idCe(buf, oid);
    // The known entry extensions are id-ce 21, 23, 24 and 29: a bit each finds duplicates without a Set.
    const bit = ce >= 0 && ce < 32 ? 1 << ce : 0;
    if (bit !== 0 && seen & bit) throw new RangeError('DER: duplicate CRL entry extension');
    seen |= bit;
    if (ce === CE_REASON) {
      const e = expectTlv(buf, value.contentStart, value.end, 0x0a, 'an ENUMERATED reason code');
      if (e.end !== value.end || e.end - e.contentStart !== 1)
        throw new RangeError('DER: a malformed reason code');
      reason = buf[e.contentStart]!;
      if (critical) refuse(profile('5.3.1', 'a reasonCode entry extension must be non-critical'));
      if (crlReason(reason) === undefined) refuse(profile('5.3.1', `unknown reason code ${reason}`));
    } else if (ce === CE_INVALIDITY_DATE) {
      readTime(buf, expectTlv(buf, value.contentStart, value.end, 0x18, 'a GeneralizedTime invalidity date'));
      if (critical) refuse(profile('5.3.2', 'an invalidityDate entry extension must be non-critical'));
    } else if (ce === CE_HOLD_INSTRUCTION) {
      // The hold instruction (RFC 3280 5.3.2) carries no decision: a hold is a revocation here.
    } else if (ce === CE_CERTIFICATE_ISSUER) {
      refuse(
        new HelmlinkError(
          'ERR_CRL_CRITICAL_EXTENSION',
          'indirect CRL entries (certificateIssuer) are not supported',
          { details: { oid: '2.5.29.29' } },
        ),
      );
    } else if (critical) {
      const oidString = decodeOid(buf, oid);
      refuse(
        new HelmlinkError(
          'ERR_CRL_CRITICAL_EXTENSION',
          `a CRL entry carries the unknown critical extension ${oidString}`,
          { details: { oid: oidString } },
        ),
      );
    }
  }
  return reason;
}

/** Walks revokedCertificates once, checking and indexing every entry. */
function readEntries(
  buf: Uint8Array,
  list: Tlv | undefined,
  info: CrlInfo,
  refuse: (e: HelmlinkError) => void,
): SerialIndex {
  const capacity = list ? Math.floor((list.end - list.contentStart) / MIN_ENTRY_BYTES) + 1 : 0;
  const index = new SerialIndex(buf, capacity);
  if (!list) return index;
  const s: EntryScratch = { entry: newTlv(), t: newTlv(), el: newTlv(), oid: newTlv(), value: newTlv() };
  const { entry, t } = s;
  const complete = info.deltaBase === undefined;
  for (let pos = list.contentStart; pos < list.end; pos = entry.end) {
    readTlvInto(buf, pos, list.end, entry);
    if (entry.tag !== 0x30) throw new RangeError('DER: a revoked entry is not a SEQUENCE');
    const serialTag: number = readTlvInto(buf, entry.contentStart, entry.end, t).tag;
    if (serialTag !== 0x02 || t.end === t.contentStart)
      throw new RangeError('DER: a revoked entry without a serial');
    const serialStart = t.contentStart;
    const serialEnd = t.end;
    const dateTag: number = readTlvInto(buf, serialEnd, entry.end, t).tag;
    if (dateTag !== 0x17 && dateTag !== 0x18)
      throw new RangeError('DER: a revoked entry without a revocation date');
    let reason = 0;
    if (t.end < entry.end) {
      const extTag: number = readTlvInto(buf, t.end, entry.end, t).tag;
      if (extTag !== 0x30 || t.end !== entry.end) throw new RangeError('DER: malformed CRL entry extensions');
      reason = readEntryExtensions(buf, t.contentStart, t.end, s, refuse);
    }
    if (reason === REMOVE_FROM_CRL && complete)
      refuse(profile('5.3.1', 'removeFromCRL appears only in delta CRLs'));
    if (!index.add(serialStart, serialEnd, reason)) {
      const serial = toHex(buf.subarray(serialStart, serialEnd));
      refuse(
        new HelmlinkError(
          'ERR_CRL_PROFILE',
          `the CRL lists serial ${serial} twice: its status is ambiguous, the CRL is refused`,
          { details: { serial, rule: '5.1.2.6' } },
        ),
      );
    }
  }
  return index;
}

const produced = new WeakSet<object>();

/** True for a CRL view made by {@link parseCrlDer}. */
export function isCrlInfo(value: object): value is CrlInfo {
  return produced.has(value);
}

/** Parses and indexes a CRL from its DER in one pass. Throws ERR_CRL_MALFORMED. */
export function parseCrlDer(der: Uint8Array): CrlInfo {
  try {
    const info = parse(der);
    produced.add(info);
    return info;
  } catch (cause) {
    if (cause instanceof HelmlinkError) throw cause;
    throw new HelmlinkError('ERR_CRL_MALFORMED', `the CRL cannot be parsed: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function parse(raw: Uint8Array): CrlInfo {
  const tbsBytes = signedPart(raw);
  const outer = expectTlv(raw, 0, raw.length, 0x30, 'a CertificateList');
  const tbs = expectTlv(raw, outer.contentStart, outer.end, 0x30, 'a TBSCertList');
  const sigAlg = expectTlv(raw, tbs.end, outer.end, 0x30, 'a signature algorithm');
  const sigValue = expectTlv(raw, sigAlg.end, outer.end, 0x03, 'a signature BIT STRING');
  if (sigValue.end !== outer.end || sigValue.end === sigValue.contentStart)
    throw new RangeError('DER: malformed signature value');
  let pos = tbs.contentStart;
  const t = readTlvInto(raw, pos, tbs.end, newTlv());
  let version = 1;
  if (t.tag === 0x02) {
    if (t.end - t.contentStart !== 1 || raw[t.contentStart] !== 1)
      throw new RangeError('DER: the CRL version is not v2');
    version = 2;
    pos = t.end;
  }
  const innerAlg = expectTlv(raw, pos, tbs.end, 0x30, 'a signature algorithm');
  const issuer = expectTlv(raw, innerAlg.end, tbs.end, 0x30, 'an issuer name');
  const thisUpdateEl = readTlvInto(raw, issuer.end, tbs.end, newTlv());
  const thisUpdate = readTime(raw, thisUpdateEl);
  pos = thisUpdateEl.end;
  let nextUpdate: number | undefined;
  let list: Tlv | undefined;
  let extensions: Tlv | undefined;
  while (pos < tbs.end) {
    const el = readTlvInto(raw, pos, tbs.end, newTlv());
    if ((el.tag === 0x17 || el.tag === 0x18) && nextUpdate === undefined && !list && !extensions)
      nextUpdate = readTime(raw, el);
    else if (el.tag === 0x30 && !list && !extensions) list = el;
    else if (el.tag === 0xa0 && !extensions) extensions = el;
    else throw new RangeError('DER: unexpected field in the TBSCertList');
    pos = el.end;
  }
  const issuerName = AsnConvert.parse(bytesOf(raw, issuer), Name);
  let scheme: SignatureScheme | HelmlinkError;
  try {
    scheme = signatureScheme(AsnConvert.parse(bytesOf(raw, sigAlg), AlgorithmIdentifier));
    if (!sameBytes(bytesOf(raw, innerAlg), bytesOf(raw, sigAlg))) {
      scheme = new HelmlinkError(
        'ERR_CRL_INVALID',
        'the CRL signature algorithm differs from the one inside the signed part',
      );
    }
  } catch (err) {
    if (!(err instanceof HelmlinkError)) throw err;
    scheme = err;
  }
  // A signature is a whole number of octets: unused bits mean a signature that cannot verify, not a parse error.
  if (raw[sigValue.contentStart] !== 0)
    scheme = new HelmlinkError('ERR_CRL_INVALID', 'the CRL signature is not a whole number of octets');
  const info: CrlInfo = {
    raw,
    tbs: tbsBytes,
    signature: raw.subarray(sigValue.contentStart + 1, sigValue.end),
    scheme,
    issuerName,
    issuerKey: nameKey(issuerName),
    issuer: new x509.Name(bytesOf(raw, issuer).slice()).toString(),
    version,
    thisUpdate,
    nextUpdate,
    number: undefined,
    deltaBase: undefined,
    idp: undefined,
    scopeKey: '',
    akiKeyId: undefined,
    refusal: undefined,
    entries: undefined as unknown as SerialIndex,
  };
  const refuse = (e: HelmlinkError): void => {
    info.refusal ??= e;
  };
  if (extensions) {
    if (version !== 2) throw new RangeError('DER: a v1 CRL with extensions');
    readCrlExtensions(raw, extensions, info, refuse);
  }
  // Not a CRL revocation can rest on (the CRL number orders CRLs and detects rollback): ERR_CRL_INVALID.
  if (version !== 2)
    refuse(
      profile(
        '5.1.2.1',
        'v1 CRLs are refused: a conforming CRL is v2 and carries a CRL number',
        'ERR_CRL_INVALID',
      ),
    );
  else if (info.number === undefined)
    refuse(profile('5.2.3', 'the CRL has no CRL number', 'ERR_CRL_INVALID'));
  info.entries = readEntries(raw, list, info, refuse);
  return info;
}
