/**
 * Distinguished name comparison per RFC 5280 7.1: two names match when they have the same RDNs in the same order,
 * each RDN holding the same set of attribute types, and the values compare equal after string preparation
 * (RFC 4518, simplified: Unicode NFKC, case folded, leading/trailing space removed, inner runs of space collapsed).
 * PrintableString and UTF8String of the same text therefore match. Non-string values compare by their DER bytes.
 *
 * A name is reduced once to a canonical key string; comparing names is then string equality.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import type { AttributeValue, GeneralName, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';
import { toHex } from './der';

function prepare(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

function valueKey(value: AttributeValue): string {
  const text =
    value.utf8String ??
    value.printableString ??
    value.teletexString ??
    value.bmpString ??
    value.universalString ??
    value.ia5String;
  if (text !== undefined) return `s:${prepare(text)}`;
  return `b:${value.anyValue ? toHex(value.anyValue) : ''}`;
}

function rdnKey(rdn: RelativeDistinguishedName): string {
  // An RDN is a SET: the order of its attributes carries no meaning.
  return rdn
    .map((atv) => `${atv.type}=${encodeURIComponent(valueKey(atv.value))}`)
    .sort()
    .join('+');
}

/** The canonical key of a distinguished name (equal keys = matching names). */
export function nameKey(name: Name | readonly RelativeDistinguishedName[]): string {
  return name.map(rdnKey).join(',');
}

/** The canonical keys of a name's RDNs, in order (a directoryName constraint is a prefix of them). */
export function rdnKeys(name: Name | readonly RelativeDistinguishedName[]): string[] {
  return name.map(rdnKey);
}

/** PKCS #9 emailAddress, the legacy place of an e-mail address in a subject name. */
export const OID_EMAIL_ADDRESS = '1.2.840.113549.1.9.1';

/** The values of every attribute of `type` in a name (e.g. emailAddress, commonName), as text. */
export function attributeValues(name: Name | readonly RelativeDistinguishedName[], type: string): string[] {
  const out: string[] = [];
  for (const rdn of name) {
    for (const atv of rdn) {
      if (atv.type !== type) continue;
      const v = atv.value;
      const text =
        v.ia5String ??
        v.utf8String ??
        v.printableString ??
        v.teletexString ??
        v.bmpString ??
        v.universalString;
      if (text !== undefined) out.push(text);
    }
  }
  return out;
}

/** The canonical key of `base` extended by one more RDN (nameRelativeToCRLIssuer). */
export function nameKeyWithRdn(base: Name, rdn: RelativeDistinguishedName): string {
  const head = nameKey(base);
  return head === '' ? rdnKey(rdn) : `${head},${rdnKey(rdn)}`;
}

/** A comparable key for a GeneralName (directory names by their canonical key, others by kind and value). */
export function generalNameKey(gn: GeneralName): string {
  if (gn.directoryName) return `dn:${nameKey(gn.directoryName)}`;
  if (gn.uniformResourceIdentifier !== undefined) return `uri:${gn.uniformResourceIdentifier}`;
  if (gn.dNSName !== undefined) return `dns:${gn.dNSName.toLowerCase()}`;
  if (gn.rfc822Name !== undefined) return `email:${gn.rfc822Name}`;
  if (gn.iPAddress !== undefined) return `ip:${gn.iPAddress}`;
  if (gn.registeredID !== undefined) return `oid:${gn.registeredID}`;
  return `der:${toHex(AsnConvert.serialize(gn))}`;
}
