/**
 * The subject of an end-entity certificate (CN, optionally O), as DER and as text, without building an x509.Name:
 * the CA writes one per enrollment, and the @peculiar/x509 Name (asn1js objects, serialized) cost more than the
 * certificate's signature. Same bytes and text as {@link buildName}: values @peculiar/x509 would encode otherwise
 * (anything outside PrintableString) or escape in text (`,` `+`, a leading or trailing space) go through it.
 */
import { buildName, type NameParts } from './build';
import { concat, tlv } from './der-writer';

/** PrintableString's alphabet, as @peculiar/x509 tests it to choose PrintableString over UTF8String. */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/u;
/** PrintableString values whose DN text needs no escaping (RFC 4514 special characters and edge spaces). */
const PLAIN = /^(?! )[A-Za-z0-9 '()\-./:=?]*(?<! )$/u;
const OID_CN = new Uint8Array([0x06, 0x03, 0x55, 0x04, 0x03]);
const OID_O = new Uint8Array([0x06, 0x03, 0x55, 0x04, 0x0a]);

type SubjectParts = Pick<NameParts, 'cn' | 'o'>;

/** RelativeDistinguishedName SET { AttributeTypeAndValue { type, PrintableString value } }. */
const rdn = (oid: Uint8Array, value: string): Uint8Array =>
  tlv(
    0x31,
    tlv(
      0x30,
      concat([
        oid,
        tlv(
          0x13,
          Uint8Array.from(value, (c) => c.charCodeAt(0)),
        ),
      ]),
    ),
  );

/** DER of the Name that `buildName(parts)` builds (O before CN). */
export function subjectNameDer(parts: SubjectParts): Uint8Array {
  if (!PRINTABLE.test(parts.cn) || (parts.o && !PRINTABLE.test(parts.o)))
    return new Uint8Array(buildName(parts).toArrayBuffer());
  return tlv(0x30, concat([...(parts.o ? [rdn(OID_O, parts.o)] : []), rdn(OID_CN, parts.cn)]));
}

/** The text of `buildName(parts)` (`O=…, CN=…`), as the CA's store records a subject. */
export function subjectNameText(parts: SubjectParts): string {
  if (!PLAIN.test(parts.cn) || (parts.o && !PLAIN.test(parts.o))) return buildName(parts).toString();
  return parts.o ? `O=${parts.o}, CN=${parts.cn}` : `CN=${parts.cn}`;
}
