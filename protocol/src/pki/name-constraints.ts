/**
 * Name constraints (RFC 5280 4.2.1.10, 6.1.3 (b)(c), 6.1.4 (g)) for dNSName, rfc822Name, iPAddress,
 * directoryName and uniformResourceIdentifier.
 *
 * State: the permitted subtrees are kept as one set per constraining CA (a name must lie in every set that
 * constrains its form, which is the intersection of 6.1.4 (g)(1)); the excluded subtrees are one union (6.1.4
 * (g)(2)). The trust anchor's own constraints start the state (RFC 5937). Names checked (6.1.3 (b)(c)):
 * the subject DN against directoryName, every emailAddress attribute of the subject against rfc822Name (the
 * "email in the DN" rule of 4.2.1.10), every subjectAltName entry against its form, and, for the end entity
 * only and when it has no dNSName, a common name that is a host name against dNSName (what OpenSSL does).
 * Self-issued certificates are skipped unless they are the end entity. A name of a form this validator does
 * not process (otherName, x400Address, ediPartyName, registeredID) under a constraint of that form fails:
 * 4.2.1.10 allows only "process the constraint or reject the certificate".
 *
 * Matching: dNSName constraints match the name and every name with more labels on the left; rfc822Name
 * constraints are a mailbox (exact), a host (every mailbox on it) or ".domain" (every mailbox on a host below
 * it); URI constraints are a host (exact) or ".domain" and apply to the URI's host (a URI without a host, with
 * an IP literal or with a host outside the preferred name syntax, such as "host." or percent-encoded, cannot be
 * shown to be inside or outside and fails under URI constraints); iPAddress
 * constraints are address + CIDR mask of the same family; directoryName constraints are an RDN prefix.
 */
import { HelmlinkError } from '../errors';
import { readSmallInt, readTlvInto, type Tlv } from './der';
import type { CertInfo } from './extensions';
import {
  decodeGeneralName,
  describeName,
  dnsNameProblem,
  type GeneralNameValue,
  isAddressLiteral,
  mailboxProblem,
  type NameKind,
  splitMailbox,
  uriHost,
} from './general-names';
import { attributeValues, OID_EMAIL_ADDRESS } from './names';

const OID_COMMON_NAME = '2.5.4.3';

/** A decoded nameConstraints extension. `problem`: why its content breaks 4.2.1.10 (refused when used). */
export interface NameConstraintsInfo {
  permitted: GeneralNameValue[] | undefined;
  excluded: GeneralNameValue[] | undefined;
  problem: string | undefined;
}

function baseProblem(gn: GeneralNameValue): string | undefined {
  switch (gn.kind) {
    case 'dns':
      // An empty constraint is every DNS name; a leading period or a wildcard is not a DNS name (4.2.1.10).
      return gn.value === '' ? undefined : dnsNameProblem(gn.value, false);
    case 'email': {
      if (gn.value.includes('@')) return mailboxProblem(gn.value);
      const host = gn.value.startsWith('.') ? gn.value.slice(1) : gn.value;
      return dnsNameProblem(host, false) ? `"${gn.value}" is not a host or domain` : undefined;
    }
    case 'uri': {
      const host = gn.value.startsWith('.') ? gn.value.slice(1) : gn.value;
      return dnsNameProblem(host, false)
        ? `the URI constraint "${gn.value}" is not a host or domain`
        : undefined;
    }
    case 'ip': {
      const n = gn.bytes.length;
      if (n !== 8 && n !== 32)
        return `an iPAddress constraint of ${n} octets (address and mask: 8 or 32 expected)`;
      // The mask must be a CIDR prefix: ones, then zeros.
      let zero = false;
      for (let i = n / 2; i < n; i++) {
        for (let bit = 7; bit >= 0; bit--) {
          const one = (gn.bytes[i]! >> bit) & 1;
          if (one && zero) return 'an iPAddress constraint with a non-contiguous mask';
          if (!one) zero = true;
        }
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function readSubtrees(buf: Uint8Array, el: Tlv, problems: string[]): GeneralNameValue[] {
  const out: GeneralNameValue[] = [];
  const sub: Tlv = { tag: 0, start: 0, contentStart: 0, end: 0 };
  const t: Tlv = { tag: 0, start: 0, contentStart: 0, end: 0 };
  for (let pos = el.contentStart; pos < el.end; pos = sub.end) {
    readTlvInto(buf, pos, el.end, sub);
    if (sub.tag !== 0x30) throw new RangeError('DER: a GeneralSubtree is not a SEQUENCE');
    readTlvInto(buf, sub.contentStart, sub.end, t);
    const base = decodeGeneralName(buf, t);
    for (let p = t.end; p < sub.end;) {
      const field = readTlvInto(buf, p, sub.end, { tag: 0, start: 0, contentStart: 0, end: 0 });
      if (field.tag === 0x80) {
        if (readSmallInt(buf, field, 0x80) !== 0) problems.push('a subtree with a minimum other than 0');
      } else if (field.tag === 0x81) problems.push('a subtree with a maximum');
      else throw new RangeError('DER: unexpected field in a GeneralSubtree');
      p = field.end;
    }
    const problem = baseProblem(base);
    if (problem) problems.push(problem);
    out.push(base);
  }
  if (out.length === 0) problems.push('an empty list of subtrees');
  return out;
}

/** Decodes a nameConstraints extension value. Throws RangeError for malformed DER. */
export function decodeNameConstraints(der: Uint8Array): NameConstraintsInfo {
  const seq = readTlvInto(der, 0, der.length, { tag: 0, start: 0, contentStart: 0, end: 0 });
  if (seq.tag !== 0x30 || seq.end !== der.length)
    throw new RangeError('DER: NameConstraints is not one SEQUENCE');
  const problems: string[] = [];
  const info: NameConstraintsInfo = { permitted: undefined, excluded: undefined, problem: undefined };
  const el: Tlv = { tag: 0, start: 0, contentStart: 0, end: 0 };
  for (let pos = seq.contentStart; pos < seq.end; pos = el.end) {
    readTlvInto(der, pos, seq.end, el);
    if (el.tag === 0xa0 && !info.permitted && !info.excluded)
      info.permitted = readSubtrees(der, el, problems);
    else if (el.tag === 0xa1 && !info.excluded) info.excluded = readSubtrees(der, el, problems);
    else throw new RangeError('DER: unexpected field in NameConstraints');
  }
  if (!info.permitted && !info.excluded) problems.push('neither permitted nor excluded subtrees');
  info.problem = problems.length > 0 ? problems.join('; ') : undefined;
  return info;
}

const dnsWithin = (name: string, c: string): boolean => c === '' || name === c || name.endsWith(`.${c}`);

function hostWithin(host: string, c: string): boolean {
  return c.startsWith('.') ? host.endsWith(c) : host === c;
}

function emailWithin(value: string, c: string): boolean {
  const parts = splitMailbox(value);
  if (!parts) return false;
  const host = parts.host.toLowerCase();
  if (c.includes('@')) {
    const want = splitMailbox(c);
    return want !== undefined && want.local === parts.local && want.host.toLowerCase() === host;
  }
  return hostWithin(host, c.toLowerCase());
}

function ipWithin(bytes: Uint8Array, c: Uint8Array): boolean {
  const n = bytes.length;
  if (c.length !== n * 2) return false;
  for (let i = 0; i < n; i++) if ((bytes[i]! & c[n + i]!) !== (c[i]! & c[n + i]!)) return false;
  return true;
}

/** True when `name` lies inside the subtree `c` (same form). */
function within(name: GeneralNameValue, c: GeneralNameValue): boolean {
  if (name.kind === 'dns' && c.kind === 'dns')
    return dnsWithin(name.value.toLowerCase(), c.value.toLowerCase());
  if (name.kind === 'email' && c.kind === 'email') return emailWithin(name.value, c.value);
  if (name.kind === 'uri' && c.kind === 'uri') {
    const host = uriHost(name.value);
    return host !== undefined && hostWithin(host, c.value.toLowerCase());
  }
  if (name.kind === 'ip' && c.kind === 'ip') return ipWithin(name.bytes, c.bytes);
  if (name.kind === 'dn' && c.kind === 'dn')
    return c.rdns.length <= name.rdns.length && c.rdns.every((r, i) => name.rdns[i] === r);
  return false;
}

/** True when the subtree `c` and the set of names a wildcard `*.rest` stands for overlap. */
function wildcardMeets(name: string, c: string): boolean {
  const rest = name.slice(2);
  return dnsWithin(name, c) || c.endsWith(`.${rest}`);
}

/** A name whose place in a subtree of its form cannot be decided (4.2.1.10: then reject). */
function undecidable(name: GeneralNameValue): boolean {
  if (name.kind === 'other') return true;
  if (name.kind === 'email') {
    const parts = splitMailbox(name.value);
    return !parts || isAddressLiteral(parts.host);
  }
  if (name.kind === 'uri') {
    try {
      const host = uriHost(name.value);
      // Only a host in the preferred name syntax compares as a string: "host." or "h%2Eost" name the same host
      // as "host" but match no constraint (an excluded host would pass); IP literals are not host names either.
      return host === undefined || /^[0-9.]+$/u.test(host) || dnsNameProblem(host, false) !== undefined;
    } catch {
      return true;
    }
  }
  return false;
}

const sameForm = (name: GeneralNameValue, c: GeneralNameValue): boolean =>
  name.kind === c.kind && (name.kind !== 'other' || (c.kind === 'other' && c.tag === name.tag));

/** The names of a certificate that name constraints apply to (6.1.3 (b)(c)). */
export function constrainedNames(cert: CertInfo, endEntity: boolean): GeneralNameValue[] {
  const names: GeneralNameValue[] = [];
  if (cert.subjectRdns.length > 0)
    names.push({ kind: 'dn', name: cert.asn.tbsCertificate.subject, rdns: cert.subjectRdns });
  for (const email of attributeValues(cert.asn.tbsCertificate.subject, OID_EMAIL_ADDRESS))
    names.push({ kind: 'email', value: email });
  const san = cert.san ?? [];
  names.push(...san);
  if (endEntity && !san.some((n) => n.kind === 'dns')) {
    for (const cn of attributeValues(cert.asn.tbsCertificate.subject, OID_COMMON_NAME)) {
      if (cn.includes('.') && dnsNameProblem(cn, true) === undefined) names.push({ kind: 'dns', value: cn });
    }
  }
  return names;
}

/** The name-constraints state of one path (immutable: each CA's constraints give a new state). */
export class NameConstraintState {
  static readonly EMPTY = new NameConstraintState([], []);

  private constructor(
    readonly permittedSets: readonly (readonly GeneralNameValue[])[],
    readonly excluded: readonly GeneralNameValue[],
  ) {}

  /** The state after a CA with `nc` (6.1.4 (g)). */
  with(nc: NameConstraintsInfo): NameConstraintState {
    return new NameConstraintState(
      nc.permitted ? [...this.permittedSets, nc.permitted] : this.permittedSets,
      nc.excluded ? [...this.excluded, ...nc.excluded] : this.excluded,
    );
  }

  get empty(): boolean {
    return this.permittedSets.length === 0 && this.excluded.length === 0;
  }

  /** The first name of `names` outside the permitted or inside the excluded subtrees, with the reason. */
  violation(names: readonly GeneralNameValue[]): { name: GeneralNameValue; reason: string } | undefined {
    if (this.empty) return undefined;
    for (const name of names) {
      const reason = this.#check(name);
      if (reason) return { name, reason };
    }
    return undefined;
  }

  #check(name: GeneralNameValue): string | undefined {
    const constrains = (c: GeneralNameValue): boolean => sameForm(name, c);
    const relevant = this.excluded.some(constrains) || this.permittedSets.some((set) => set.some(constrains));
    if (!relevant) return undefined;
    if (undecidable(name)) return `${describeName(name)} cannot be checked against constraints of its form`;
    const wildcard = name.kind === 'dns' && name.value.startsWith('*.');
    // within() and the wildcard rule match a name only against subtrees of its own form.
    for (const c of this.excluded) {
      const hit =
        wildcard && c.kind === 'dns' && name.kind === 'dns'
          ? wildcardMeets(name.value.toLowerCase(), c.value.toLowerCase())
          : within(name, c);
      if (hit) return `${describeName(name)} is inside the excluded subtree ${describeName(c)}`;
    }
    for (const set of this.permittedSets) {
      const ofForm = set.filter(constrains);
      if (ofForm.length > 0 && !ofForm.some((c) => within(name, c)))
        return `${describeName(name)} is outside the permitted subtrees`;
    }
    return undefined;
  }
}

/**
 * RFC 5280 6.1.3 (b)(c): throws ERR_CHAIN_NAME_CONSTRAINTS when a name of `cert` breaks `state`. Self-issued
 * certificates other than the end entity are not checked.
 */
export function checkNames(cert: CertInfo, endEntity: boolean, state: NameConstraintState): void {
  if (state.empty || (cert.selfIssued && !endEntity)) return;
  const v = state.violation(constrainedNames(cert, endEntity));
  if (v) {
    throw new HelmlinkError('ERR_CHAIN_NAME_CONSTRAINTS', `"${cert.cert.subject}": ${v.reason}`, {
      details: {
        subject: cert.cert.subject,
        serial: cert.serial,
        name: describeName(v.name),
        kind: v.name.kind satisfies NameKind,
      },
    });
  }
}
