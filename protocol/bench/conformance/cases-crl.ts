/**
 * Hostile-corpus cases on CRLs (RFC 5280 sections 5 and 6.3), modelled on the x509-limbo crl and
 * rfc5280::crl families (their published case lists and expectations) and on issue 10; the CRLs are ours.
 */
import { tlv } from '../../src/pki/der-writer';
import {
  type CrlForgeParams,
  DAY,
  ext,
  FORGE_NOW,
  type Forged,
  type ForgeParams,
  forgeCa,
  forgeCrl,
  forgeLeaf,
  forgeRoot,
  KU_BITS,
  OIDS,
  serialOf,
} from '../../test/pki/forge';
import { type CaseFactory, UNKNOWN_CRITICAL } from './case';

type Expect = 'SUCCESS' | 'FAILURE';
const other = (n: number) => new Uint8Array([0x10, 0x20, n]);
const uri = (u: string) => tlv(0x86, new TextEncoder().encode(u));
/** CRLDistributionPoints with one fullName URI. */
const cdp = (u: string) => ({ oid: '2.5.29.31', value: tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0xa0, uri(u))))) });
/** IssuingDistributionPoint with a fullName URI, or only the given boolean fields ([1] user, [2] CA, [5] attribute). */
const idp = (fields: Uint8Array) => ({ oid: '2.5.29.28', critical: true, value: tlv(0x30, fields) });

/** root → leaf (leafOver), with the CRL `crl(root, leaf)` from the root. */
function crlCase(
  id: string,
  expected: Expect,
  crl: (root: Forged, leaf: Forged) => Omit<CrlForgeParams, 'issuer'>,
  rootOver: Partial<ForgeParams> = {},
  leafOver: Partial<ForgeParams> = {},
): CaseFactory {
  return async () => {
    const root = await forgeRoot(`crl root ${id}`, rootOver);
    const leaf = await forgeLeaf('leaf', root, leafOver);
    return {
      id,
      description: `CRL: ${id}`,
      expected,
      anchors: [root],
      leaf,
      crls: [await forgeCrl({ issuer: root, ...crl(root, leaf) })],
    };
  };
}

const deltaIndicator = (base: number) => ({
  oid: '2.5.29.27',
  critical: true,
  value: new Uint8Array([0x02, 0x01, base]),
});

export const CRL_CASES: CaseFactory[] = [
  crlCase('crl::revoked-certificate-with-crl', 'FAILURE', (_, leaf) => ({
    entries: [{ serial: serialOf(leaf) }],
  })),
  crlCase('crl::certificate-not-on-crl', 'SUCCESS', () => ({
    entries: [{ serial: other(1) }, { serial: other(2) }],
  })),
  crlCase('crl::crlnumber-missing', 'FAILURE', () => ({ number: null, entries: [{ serial: other(1) }] })),
  crlCase('crl::crlnumber-critical', 'FAILURE', () => ({
    numberCritical: true,
    entries: [{ serial: other(1) }],
  })),
  crlCase('helmlink::crl::v1-crl', 'FAILURE', () => ({ version: 1 })),
  crlCase('crl::issuer-missing-crlsign', 'FAILURE', () => ({ entries: [{ serial: other(1) }] }), {
    ku: { oid: OIDS.ku, value: ext.keyUsage(KU_BITS.keyCertSign) },
  }),
  crlCase('crl::issuer-no-keyusage-extension', 'SUCCESS', () => ({ entries: [{ serial: other(1) }] }), {
    ku: null,
  }),
  crlCase('crl::issuer-valid-crlsign-and-keycertsign', 'SUCCESS', () => ({
    entries: [{ serial: other(1) }],
  })),
  crlCase('crl::crl-empty', 'SUCCESS', () => ({})),
  crlCase('crl::crl-very-large', 'SUCCESS', () => ({
    entries: Array.from({ length: 10_000 }, (_, i) => ({ serial: new Uint8Array([0x30, i >> 8, i & 0xff]) })),
  })),
  crlCase('crl::crl-unknown-critical-extension', 'FAILURE', () => ({ extra: [UNKNOWN_CRITICAL] })),
  crlCase('crl::crl-unknown-noncritical-extension', 'SUCCESS', () => ({
    extra: [{ ...UNKNOWN_CRITICAL, critical: false }],
  })),
  crlCase('crl::entry-unknown-critical-extension', 'FAILURE', (_, leaf) => ({
    entries: [{ serial: serialOf(leaf), extra: [UNKNOWN_CRITICAL] }],
  })),
  crlCase('crl::entry-unknown-noncritical-extension', 'FAILURE', (_, leaf) => ({
    entries: [{ serial: serialOf(leaf), extra: [{ ...UNKNOWN_CRITICAL, critical: false }] }],
  })),
  crlCase('crl::this-update-in-future', 'FAILURE', () => ({
    thisUpdate: new Date(FORGE_NOW.getTime() + DAY),
    nextUpdate: new Date(FORGE_NOW.getTime() + 30 * DAY),
  })),
  crlCase('crl::next-update-in-past', 'FAILURE', () => ({
    thisUpdate: new Date(FORGE_NOW.getTime() - 60 * DAY),
    nextUpdate: new Date(FORGE_NOW.getTime() - 30 * DAY),
  })),
  crlCase('crl::revocation-date-in-future', 'FAILURE', (_, leaf) => ({
    entries: [{ serial: serialOf(leaf), revokedAt: new Date(FORGE_NOW.getTime() + DAY) }],
  })),
  crlCase('crl::crl-duplicate-revoked-serial', 'FAILURE', () => ({
    entries: [{ serial: other(7) }, { serial: other(7) }],
  })),
  crlCase('helmlink::crl::duplicate-serial-keycompromise-then-unspecified', 'FAILURE', (_, leaf) => ({
    entries: [
      { serial: serialOf(leaf), reason: 1 },
      { serial: serialOf(leaf), reason: 0 },
    ],
  })),
  crlCase('helmlink::crl::critical-reason-code', 'FAILURE', () => ({
    entries: [{ serial: other(3), reason: 1, reasonCritical: true }],
  })),
  crlCase('helmlink::crl::remove-from-crl-on-complete-crl', 'FAILURE', () => ({
    entries: [{ serial: other(3), reason: 8 }],
  })),
  crlCase('helmlink::crl::critical-aki', 'FAILURE', (root) => ({
    aki: false,
    extra: [{ oid: OIDS.aki, critical: true, value: ext.aki(root.ski) }],
  })),
  crlCase(
    'crl::idp-cdp-scope-mismatch',
    'FAILURE',
    () => ({ extra: [idp(tlv(0xa0, tlv(0xa0, uri('http://example.com/other.crl'))))] }),
    {},
    { extra: [cdp('http://example.com/cdp.crl')] },
  ),
  crlCase(
    'crl::idp-cdp-scope-match',
    'SUCCESS',
    () => ({ extra: [idp(tlv(0xa0, tlv(0xa0, uri('http://example.com/p.crl'))))] }),
    {},
    { extra: [cdp('http://example.com/p.crl')] },
  ),
  crlCase('crl::idp-only-contains-ca-certs-ee-target', 'FAILURE', () => ({
    extra: [idp(new Uint8Array([0x82, 0x01, 0xff]))],
  })),
  crlCase('crl::idp-present-certificate-missing-cdp', 'FAILURE', () => ({
    extra: [idp(tlv(0xa0, tlv(0xa0, uri('http://example.com/p.crl'))))],
  })),
  crlCase('crl::idp-only-contains-attribute-certs', 'FAILURE', () => ({
    entries: [{ serial: other(1) }],
    extra: [idp(new Uint8Array([0x85, 0x01, 0xff]))],
  })),
  async () => {
    const root = await forgeRoot('Root CA 1');
    const root2 = await forgeRoot('Root CA 2');
    const leaf = await forgeLeaf('leaf', root);
    return {
      id: 'crl::certificate-serial-on-crl-different-issuer',
      description: 'a CRL of another issuer lists the serial',
      expected: 'SUCCESS',
      anchors: [root, root2],
      leaf,
      crls: [
        await forgeCrl({ issuer: root }),
        await forgeCrl({ issuer: root2, entries: [{ serial: serialOf(leaf) }] }),
      ],
    };
  },
  async () => {
    const root = await forgeRoot('sig root');
    const forger = await forgeRoot('forger');
    const leaf = await forgeLeaf('leaf', root);
    return {
      id: 'crl::crl-invalid-signature',
      description: 'a CRL not signed by its issuer',
      expected: 'FAILURE',
      anchors: [root],
      leaf,
      crls: [
        await forgeCrl({ issuer: root, signingKey: forger.privateKey, entries: [{ serial: other(1) }] }),
      ],
    };
  },
  async () => {
    const root = await forgeRoot('idp user root');
    const ica = await forgeCa('ica', root);
    const leaf = await forgeLeaf('leaf', ica);
    const rootCrl = await forgeCrl({ issuer: root, extra: [idp(new Uint8Array([0x81, 0x01, 0xff]))] });
    return {
      id: 'crl::idp-only-contains-user-certs-ca-target',
      description: 'a user-only CRL for a CA',
      expected: 'FAILURE',
      anchors: [root],
      intermediates: [ica],
      leaf,
      crls: [rootCrl, await forgeCrl({ issuer: ica })],
    };
  },
  async () => {
    const root = await forgeRoot('delta root');
    const leaf = await forgeLeaf('leaf', root);
    const base = await forgeCrl({ issuer: root, number: 10 });
    const delta = await forgeCrl({
      issuer: root,
      number: 11,
      extra: [deltaIndicator(10)],
      entries: [
        { serial: serialOf(leaf), reason: 1 },
        { serial: serialOf(leaf), reason: 8 },
      ],
    });
    return {
      id: 'helmlink::crl::remove-from-crl-hides-keycompromise',
      description: 'a delta lists the serial twice',
      expected: 'FAILURE',
      anchors: [root],
      leaf,
      crls: [base, delta],
    };
  },
];
