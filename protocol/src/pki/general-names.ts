/**
 * GeneralName values (RFC 5280 4.2.1.6) decoded with the project's DER reader, and the syntax rules the profile
 * puts on them. Used for subjectAltName and for the bases of name constraints (name-constraints.ts); decoding
 * directly keeps a certificate with thousands of names cheap and free of asn1js node limits.
 */
import '../reflect';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Name } from '@peculiar/asn1-x509';
import { bytesOf, readTlvInto, type Tlv } from './der';
import { rdnKeys } from './names';

/** One decoded GeneralName. Forms this validator does not process keep only their tag. */
export type GeneralNameValue =
  | { kind: 'dns'; value: string }
  | { kind: 'email'; value: string }
  | { kind: 'uri'; value: string }
  | { kind: 'ip'; bytes: Uint8Array }
  | { kind: 'dn'; name: Name; rdns: string[] }
  | { kind: 'other'; tag: number; form: string };

export type NameKind = GeneralNameValue['kind'];

const OTHER_FORMS: Record<number, string> = {
  0xa0: 'otherName',
  0xa3: 'x400Address',
  0xa5: 'ediPartyName',
  0x88: 'registeredID',
};

function ia5(buf: Uint8Array, el: Tlv): string {
  let s = '';
  for (let i = el.contentStart; i < el.end; i++) {
    const b = buf[i]!;
    if (b > 0x7e || b < 0x20)
      throw new RangeError('DER: an IA5String name holds a non-printable or non-ASCII octet');
    s += String.fromCharCode(b);
  }
  return s;
}

/** Decodes the GeneralName at `el`. Throws RangeError for malformed encodings. */
export function decodeGeneralName(buf: Uint8Array, el: Tlv): GeneralNameValue {
  switch (el.tag) {
    case 0x81:
      return { kind: 'email', value: ia5(buf, el) };
    case 0x82:
      return { kind: 'dns', value: ia5(buf, el) };
    case 0x86:
      return { kind: 'uri', value: ia5(buf, el) };
    case 0x87:
      return { kind: 'ip', bytes: buf.slice(el.contentStart, el.end) };
    case 0xa4: {
      const inner = readTlvInto(buf, el.contentStart, el.end, { tag: 0, start: 0, contentStart: 0, end: 0 });
      if (inner.tag !== 0x30 || inner.end !== el.end)
        throw new RangeError('DER: a directoryName is not one Name');
      const name = AsnConvert.parse(bytesOf(buf, inner), Name);
      return { kind: 'dn', name, rdns: rdnKeys(name) };
    }
    default: {
      const form = OTHER_FORMS[el.tag];
      if (!form) throw new RangeError(`DER: unknown GeneralName tag 0x${el.tag.toString(16)}`);
      return { kind: 'other', tag: el.tag, form };
    }
  }
}

/** Decodes GeneralNames (SEQUENCE SIZE (1..MAX) OF GeneralName) from the DER of the SEQUENCE. */
export function decodeGeneralNames(der: Uint8Array): GeneralNameValue[] {
  const seq = readTlvInto(der, 0, der.length, { tag: 0, start: 0, contentStart: 0, end: 0 });
  if (seq.tag !== 0x30 || seq.end !== der.length)
    throw new RangeError('DER: GeneralNames is not one SEQUENCE');
  const out: GeneralNameValue[] = [];
  const el: Tlv = { tag: 0, start: 0, contentStart: 0, end: 0 };
  for (let pos = seq.contentStart; pos < seq.end; pos = el.end) {
    readTlvInto(der, pos, seq.end, el);
    out.push(decodeGeneralName(der, el));
  }
  if (out.length === 0) throw new RangeError('DER: GeneralNames holds no name (SIZE (1..MAX))');
  return out;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/u;

/**
 * Why `name` is not a DNS name in the preferred name syntax (RFC 5280 4.2.1.6, RFC 1034 3.5: letters, digits
 * and inner hyphens, labels of 1-63 octets, 253 in all, no empty label), or undefined when it is one.
 * `wildcard`: a leftmost label of exactly "*" is accepted (RFC 6125 presented identifiers); name constraints
 * never allow it.
 */
export function dnsNameProblem(name: string, wildcard: boolean): string | undefined {
  if (name.length === 0) return 'an empty DNS name';
  if (name.length > 253) return 'a DNS name longer than 253 octets';
  const labels = name.toLowerCase().split('.');
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (i === 0 && label === '*' && wildcard && labels.length > 2) continue;
    if (!LABEL.test(label)) return `"${name}" is not a DNS name in the preferred name syntax`;
  }
  return undefined;
}

/** Splits an rfc822Name mailbox at its one unquoted "@" (RFC 5321 4.1.2), or undefined when it is not a mailbox. */
export function splitMailbox(value: string): { local: string; host: string } | undefined {
  let inQuote = false;
  let at = -1;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && inQuote) i++;
    else if (c === '"') inQuote = !inQuote;
    else if (c === '@' && !inQuote) {
      if (at >= 0) return undefined;
      at = i;
    }
  }
  if (inQuote || at <= 0 || at === value.length - 1) return undefined;
  return { local: value.slice(0, at), host: value.slice(at + 1) };
}

/** True for an address literal domain ("[192.0.2.1]", "[IPv6:…]"). */
export function isAddressLiteral(host: string): boolean {
  return host.startsWith('[') && host.endsWith(']');
}

/** Why an rfc822Name in a certificate is not a mailbox (RFC 5280 4.2.1.6), or undefined. */
export function mailboxProblem(value: string): string | undefined {
  const parts = splitMailbox(value);
  if (!parts) return `"${value}" is not a mailbox (local-part@domain)`;
  if (isAddressLiteral(parts.host)) return undefined;
  return dnsNameProblem(parts.host, false) ? `the domain of "${value}" is not a DNS name` : undefined;
}

/** A character RFC 3986 does not allow anywhere in a URI (2.2 reserved, 2.3 unreserved, "%" of an escape). */
const NOT_URI_CHAR = /[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/u;

/**
 * The host of a URI with an authority (scheme://[userinfo@]host[:port]...), lowercased; undefined when the URI
 * has none (e.g. urn:). Throws RangeError when it is not an absolute URI at all, or holds a character RFC 3986
 * does not allow: parsers disagree on those ("https://bad\\@good/" has host "bad" for WHATWG URL, "good" here).
 */
export function uriHost(value: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):(.*)$/isu.exec(value);
  if (!m) throw new RangeError(`"${value}" is not an absolute URI`);
  if (NOT_URI_CHAR.test(value)) throw new RangeError(`"${value}" holds a character RFC 3986 does not allow`);
  const rest = m[2]!;
  if (!rest.startsWith('//')) return undefined;
  let authority = rest.slice(2);
  const end = authority.search(/[/?#]/u);
  if (end >= 0) authority = authority.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1).toLowerCase();
  const colon = authority.indexOf(':');
  return (colon >= 0 ? authority.slice(0, colon) : authority).toLowerCase();
}

/** Why a subjectAltName entry breaks the profile's syntax rules (RFC 5280 4.2.1.6), or undefined. */
export function sanProblem(gn: GeneralNameValue): string | undefined {
  switch (gn.kind) {
    case 'dns':
      return dnsNameProblem(gn.value, true);
    case 'email':
      return mailboxProblem(gn.value);
    case 'ip':
      return gn.bytes.length === 4 || gn.bytes.length === 16
        ? undefined
        : `an iPAddress of ${gn.bytes.length} octets (4 or 16 expected)`;
    case 'uri':
      try {
        const host = uriHost(gn.value);
        return host === '' ? `the URI "${gn.value}" has an empty host` : undefined;
      } catch (err) {
        return (err as Error).message;
      }
    default:
      return undefined;
  }
}

/** A printable form of a name for messages. */
export function describeName(gn: GeneralNameValue): string {
  switch (gn.kind) {
    case 'ip':
      return gn.bytes.length === 4
        ? `IP ${gn.bytes.join('.')}`
        : `IP ${Array.from(gn.bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    case 'dn':
      return `DN ${gn.rdns.join(',')}`;
    case 'other':
      return gn.form;
    default:
      return `${gn.kind} ${gn.value}`;
  }
}
