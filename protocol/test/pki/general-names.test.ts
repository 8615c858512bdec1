/**
 * GeneralName decoding and the profile's syntax rules on names (general-names.ts, RFC 5280 4.2.1.6): what a
 * hostile certificate can put into a subjectAltName or a name constraint base, and how each is read or refused.
 */
import '../../src/reflect';
import { describe, expect, it } from 'vitest';
import { readTlv } from '../../src/pki/der';
import { concat, tlv } from '../../src/pki/der-writer';
import {
  decodeGeneralName,
  decodeGeneralNames,
  describeName,
  dnsNameProblem,
  type GeneralNameValue,
  isAddressLiteral,
  mailboxProblem,
  sanProblem,
  splitMailbox,
  uriHost,
} from '../../src/pki/general-names';
import { encodeGeneralName, encodeName, type GeneralNameSpec } from './forge';

const one = (der: Uint8Array): GeneralNameValue => decodeGeneralName(der, readTlv(der, 0));
const decode = (gn: GeneralNameSpec): GeneralNameValue => one(encodeGeneralName(gn));
const ascii = (s: string) => new TextEncoder().encode(s);

describe('decoding GeneralNames', () => {
  it('reads each processed form; other forms keep only their tag and name', () => {
    expect(decode({ email: 'a@example.com' })).toEqual({ kind: 'email', value: 'a@example.com' });
    expect(decode({ dns: 'example.com' })).toEqual({ kind: 'dns', value: 'example.com' });
    expect(decode({ uri: 'https://example.com/' })).toEqual({ kind: 'uri', value: 'https://example.com/' });
    expect(decode({ ip: '192.0.2.1' })).toEqual({ kind: 'ip', bytes: new Uint8Array([192, 0, 2, 1]) });
    expect(decode({ dn: [['O', 'Fleet']] })).toMatchObject({ kind: 'dn', rdns: ['2.5.4.10=s%3Afleet'] });
    expect(decode({ otherName: '1.2.3' })).toEqual({ kind: 'other', tag: 0xa0, form: 'otherName' });
    const others: [number, string][] = [
      [0xa3, 'x400Address'],
      [0xa5, 'ediPartyName'],
      [0x88, 'registeredID'],
    ];
    for (const [tag, form] of others)
      expect(one(tlv(tag, new Uint8Array([0x05, 0x00])))).toEqual({ kind: 'other', tag, form });
  });

  it('an IA5String name with a control or non-ASCII octet is malformed (attack: a NUL that ends the name in C)', () => {
    expect(one(tlv(0x82, ascii(' ~'))).kind).toBe('dns');
    for (const bad of [0x00, 0x1f, 0x7f, 0xc3]) {
      expect(() => one(tlv(0x82, new Uint8Array([0x61, bad, 0x62]))), `${bad}`).toThrow(
        'DER: an IA5String name holds a non-printable or non-ASCII octet',
      );
    }
  });

  it('a directoryName must hold exactly one Name; an unknown tag is malformed', () => {
    expect(() => one(tlv(0xa4, tlv(0x31, new Uint8Array())))).toThrow('DER: a directoryName is not one Name');
    expect(() => one(tlv(0xa4, concat([encodeName([['O', 'x']]), new Uint8Array([0x05, 0x00])])))).toThrow(
      'DER: a directoryName is not one Name',
    );
    expect(() => one(tlv(0x89, new Uint8Array([1])))).toThrow('DER: unknown GeneralName tag 0x89');
  });

  it('GeneralNames is one SEQUENCE of at least one name', () => {
    const two = tlv(
      0x30,
      concat([encodeGeneralName({ dns: 'a.example' }), encodeGeneralName({ email: 'b@c.d' })]),
    );
    expect(decodeGeneralNames(two)).toEqual([
      { kind: 'dns', value: 'a.example' },
      { kind: 'email', value: 'b@c.d' },
    ]);
    expect(() => decodeGeneralNames(tlv(0x30, new Uint8Array()))).toThrow(
      'DER: GeneralNames holds no name (SIZE (1..MAX))',
    );
    expect(() => decodeGeneralNames(concat([two, new Uint8Array([0])]))).toThrow(
      'DER: GeneralNames is not one SEQUENCE',
    );
    expect(() => decodeGeneralNames(tlv(0x31, encodeGeneralName({ dns: 'a.b' })))).toThrow(
      'DER: GeneralNames is not one SEQUENCE',
    );
  });
});

describe('name syntax (4.2.1.6)', () => {
  it('DNS names: preferred name syntax, label and total lengths, a wildcard only as a whole leftmost label', () => {
    const notDns = (n: string) => `"${n}" is not a DNS name in the preferred name syntax`;
    expect(dnsNameProblem('', true)).toBe('an empty DNS name');
    expect(dnsNameProblem('Host-1.EXAMPLE.com', false)).toBeUndefined();
    expect(dnsNameProblem('a', false)).toBeUndefined();
    const label63 = 'a'.repeat(63);
    expect(dnsNameProblem(`${label63}.com`, false)).toBeUndefined();
    expect(dnsNameProblem(`${label63}a.com`, false)).toBe(notDns(`${label63}a.com`));
    const long = `${[label63, label63, label63].join('.')}.${'b'.repeat(61)}`;
    expect(long).toHaveLength(253);
    expect(dnsNameProblem(long, false)).toBeUndefined();
    expect(dnsNameProblem(`a${long}`, false)).toBe('a DNS name longer than 253 octets');
    for (const n of ['-a.com', 'a-.com', 'a..com', 'a.com.', 'a_b.com', 'xn--é.com']) {
      expect(dnsNameProblem(n, true), n).toBe(notDns(n));
    }
    expect(dnsNameProblem('*.example.com', true)).toBeUndefined();
    expect(dnsNameProblem('*.example.com', false)).toBe(notDns('*.example.com'));
    expect(dnsNameProblem('*.com', true)).toBe(notDns('*.com'));
    expect(dnsNameProblem('a.*.com', true)).toBe(notDns('a.*.com'));
    expect(dnsNameProblem('f*.example.com', true)).toBe(notDns('f*.example.com'));
  });

  it('mailboxes split at their one unquoted "@"; quoted and escaped ones do not count', () => {
    expect(splitMailbox('a@b.c')).toEqual({ local: 'a', host: 'b.c' });
    expect(splitMailbox('"a@x"@b.c')).toEqual({ local: '"a@x"', host: 'b.c' });
    expect(splitMailbox('"a\\"@x"@b.c')).toEqual({ local: '"a\\"@x"', host: 'b.c' });
    expect(splitMailbox('a\\@b.c')).toEqual({ local: 'a\\', host: 'b.c' });
    for (const bad of ['a@b@c', '@b.c', 'a@', 'abc', '"a@b.c', ''])
      expect(splitMailbox(bad), bad).toBeUndefined();
    expect([isAddressLiteral('[192.0.2.1]'), isAddressLiteral('[x'), isAddressLiteral('x]')]).toEqual([
      true,
      false,
      false,
    ]);
    expect(mailboxProblem('a@b@c')).toBe('"a@b@c" is not a mailbox (local-part@domain)');
    expect(mailboxProblem('a@[IPv6:2001:db8::1]')).toBeUndefined();
    expect(mailboxProblem('a@Example.COM')).toBeUndefined();
    expect(mailboxProblem('a@-x.com')).toBe('the domain of "a@-x.com" is not a DNS name');
    // A leading "@" before the real one: still two unquoted "@", not a mailbox "@a" at "b.c".
    expect(splitMailbox('@a@b.c')).toBeUndefined();
    // A wildcard is a presented DNS identifier, never a mail domain (a@*.example.com would match any host).
    expect(mailboxProblem('a@*.example.com')).toBe('the domain of "a@*.example.com" is not a DNS name');
  });

  it('the host of a URI: after userinfo, before port, path, query or fragment, lowercased (attack: "good@bad")', () => {
    expect(uriHost('HTTPS://User:pw@Good.org@BAD.example.com:8443/a?b#c')).toBe('bad.example.com');
    expect(uriHost('https://bad.example.com?x@good.org')).toBe('bad.example.com');
    expect(uriHost('https://bad.example.com#@good.org')).toBe('bad.example.com');
    expect(uriHost('https://bad.example.com/@good.org')).toBe('bad.example.com');
    expect(uriHost('https://[2001:DB8::1]:443/')).toBe('[2001:db8::1]');
    expect(uriHost('ldap://Host')).toBe('host');
    expect(uriHost('https://')).toBe('');
    // Empty userinfo or an empty host before a port: the host is what lies between them, not "@…" or ":443".
    expect(uriHost('https://@Good.example/')).toBe('good.example');
    expect(uriHost('https://:443/')).toBe('');
    expect(uriHost('urn:mrn:helmlink:pilot:p1')).toBeUndefined();
    expect(uriHost('mailto:a@b.c')).toBeUndefined();
    expect(uriHost('a+b-c.d:/x')).toBeUndefined();
    // Attack: "bad\\@good" is host "bad" for WHATWG URL parsers and "good" after the "@": no answer is safe.
    for (const bad of [
      'https://bad.example.com\\@good.org/',
      'https://host/a b',
      'https://host/<x>',
      'urn:x:"y"',
    ]) {
      expect(() => uriHost(bad), bad).toThrow(
        new RangeError(`"${bad}" holds a character RFC 3986 does not allow`),
      );
    }
    expect(uriHost("https://h.example/-._~:/?#[]@!$&'()*+,;=%20")).toBe('h.example');
    for (const bad of ['//host/x', '1http://host', 'host', ':x']) {
      expect(() => uriHost(bad), bad).toThrow(new RangeError(`"${bad}" is not an absolute URI`));
    }
  });

  it('subjectAltName entries: each form by its own rule; forms not processed pass', () => {
    expect(sanProblem({ kind: 'dns', value: '*.example.com' })).toBeUndefined();
    expect(sanProblem({ kind: 'dns', value: 'a..b' })).toBe(
      '"a..b" is not a DNS name in the preferred name syntax',
    );
    expect(sanProblem({ kind: 'email', value: 'x' })).toBe('"x" is not a mailbox (local-part@domain)');
    expect(sanProblem({ kind: 'ip', bytes: new Uint8Array(4) })).toBeUndefined();
    expect(sanProblem({ kind: 'ip', bytes: new Uint8Array(16) })).toBeUndefined();
    for (const n of [0, 5, 8, 32]) {
      expect(sanProblem({ kind: 'ip', bytes: new Uint8Array(n) })).toBe(
        `an iPAddress of ${n} octets (4 or 16 expected)`,
      );
    }
    expect(sanProblem({ kind: 'uri', value: 'https://h.example/' })).toBeUndefined();
    expect(sanProblem({ kind: 'uri', value: 'https:///x' })).toBe('the URI "https:///x" has an empty host');
    expect(sanProblem({ kind: 'uri', value: 'no-scheme' })).toBe('"no-scheme" is not an absolute URI');
    expect(sanProblem({ kind: 'other', tag: 0xa0, form: 'otherName' })).toBeUndefined();
  });

  it('names are described for messages by form', () => {
    expect(describeName({ kind: 'ip', bytes: new Uint8Array([192, 0, 2, 1]) })).toBe('IP 192.0.2.1');
    expect(
      describeName({
        kind: 'ip',
        bytes: new Uint8Array([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(12).fill(0)]),
      }),
    ).toBe('IP 20010db8000000000000000000000000');
    expect(
      describeName(
        decode({
          dn: [
            ['O', 'Fleet'],
            ['CN', 'x'],
          ],
        }),
      ),
    ).toBe('DN 2.5.4.10=s%3Afleet,2.5.4.3=s%3Ax');
    expect(describeName({ kind: 'other', tag: 0x88, form: 'registeredID' })).toBe('registeredID');
    expect(describeName({ kind: 'uri', value: 'urn:x' })).toBe('uri urn:x');
  });
});
