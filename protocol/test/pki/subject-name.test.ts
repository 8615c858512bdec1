import { describe, expect, it } from 'vitest';
import { buildName } from '../../src/pki/build';
import { subjectNameDer, subjectNameText } from '../../src/pki/subject-name';

const hex = (b: Uint8Array | ArrayBuffer) => Buffer.from(b as Uint8Array).toString('hex');

// Every shape the direct encoding takes (PrintableString, with and without O) and every one it must hand to
// @peculiar/x509 (UTF8String values, DN text that needs escaping).
const CASES: Array<{ cn: string; o?: string }> = [
  { cn: 'mv-1' },
  { cn: 'mv-1', o: 'Helmlink Maritime' },
  { cn: 'pilot.anna', o: 'Roc (North) 2/3: a=b?' },
  { cn: 'mv-1', o: '' },
  { cn: 'a'.repeat(200), o: 'B'.repeat(300) },
  { cn: 'mv-1', o: 'Ship, Co.' },
  { cn: 'mv-1', o: 'A+B' },
  { cn: 'mv-1', o: ' leading' },
  { cn: 'mv-1', o: 'trailing ' },
  { cn: 'mv-1', o: 'Sjöfart' },
  { cn: 'mv-1', o: 'Smith & Sons' },
  { cn: 'mv-1', o: 'No. #1' },
  { cn: 'mv-1', o: 'quote"d' },
  { cn: 'mv_1' },
  { cn: 'mv 1 ' },
];

describe('subject name without an x509.Name', () => {
  it.each(CASES)('DER and text equal buildName for %j', (parts) => {
    expect(hex(subjectNameDer(parts))).toBe(hex(buildName(parts).toArrayBuffer()));
    expect(subjectNameText(parts)).toBe(buildName(parts).toString());
  });

  it('encodes a printable subject as PrintableString, O before CN', () => {
    expect(hex(subjectNameDer({ cn: 'mv-1', o: 'Org' }))).toBe(
      '301d310c300a060355040a13034f7267310d300b06035504031304' + hex(Buffer.from('mv-1')),
    );
    expect(subjectNameText({ cn: 'mv-1', o: 'Org' })).toBe('O=Org, CN=mv-1');
    expect(subjectNameText({ cn: 'mv-1' })).toBe('CN=mv-1');
  });
});
