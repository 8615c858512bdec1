/**
 * Hostile-corpus cases on certificates: the RFC 5280 profile, trust anchors, validity, key usage, crafted
 * chains. Modelled on the x509-limbo rfc5280 and pathological families (their published case lists and
 * expectations) and on issue 10; the certificates are ours.
 */
import { readChildren, readTlv } from '../../src/pki/der';
import { parseCertificates } from '../../src/pki/pem';
import {
  caExtensions,
  ext,
  type Forged,
  type ForgeParams,
  forge,
  forgeCa,
  forgeLeaf,
  forgeRingPool,
  forgeRoot,
  forgeSameKeyPool,
  KU_BITS,
  OIDS,
  type GeneralNameSpec,
} from '../../test/pki/forge';
import { type CaseFactory, san, UNKNOWN_CRITICAL } from './case';

type Expect = 'SUCCESS' | 'FAILURE';

/** root (over) → leaf. */
const rootCase =
  (id: string, expected: Expect, over: Partial<ForgeParams>): CaseFactory =>
  async () => {
    const root = await forgeRoot(`root ${id}`, over);
    return { id, description: `root: ${id}`, expected, anchors: [root], leaf: await forgeLeaf('leaf', root) };
  };
/** root → ica (over) → leaf. */
const icaCase =
  (id: string, expected: Expect, over: Partial<ForgeParams>): CaseFactory =>
  async () => {
    const root = await forgeRoot(`root ${id}`);
    const ica = await forgeCa(`ica ${id}`, root, over);
    return {
      id,
      description: `intermediate: ${id}`,
      expected,
      anchors: [root],
      intermediates: [ica],
      leaf: await forgeLeaf('leaf', ica),
    };
  };
/** root → leaf (over). */
const leafCase =
  (
    id: string,
    expected: Expect,
    over: Partial<ForgeParams>,
    eku?: ('serverAuth' | 'clientAuth')[],
  ): CaseFactory =>
  async () => {
    const root = await forgeRoot(`root ${id}`);
    return {
      id,
      description: `leaf: ${id}`,
      expected,
      anchors: [root],
      leaf: await forgeLeaf('leaf', root, over),
      ...(eku ? { eku } : {}),
    };
  };

const kuExt = (bits: number, critical = true) => ({ oid: OIDS.ku, critical, value: ext.keyUsage(bits) });
const bcExt = (ca: boolean, pathLen?: number, critical = true) => ({
  oid: OIDS.bc,
  critical,
  value: ext.basicConstraints(ca, pathLen),
});

/** A copy of `f` whose outer signature algorithm says SHA-384 while the signed one says SHA-256. */
function mismatchedAlgorithm(f: Forged): Forged {
  const der = f.der.slice();
  const [, outerAlg] = readChildren(der, readTlv(der, 0));
  der[outerAlg!.end - 1] = 0x03;
  return { ...f, der, certificate: parseCertificates(der)[0]! };
}

/** root → ica → leaf with every certificate valid over [notBefore, notAfter] (validity cases). */
const validityCase =
  (id: string, expected: Expect, time: Date, periods: [Date, Date][]): CaseFactory =>
  async () => {
    const [r, i, l] = periods;
    const root = await forgeRoot(`root ${id}`, { notBefore: r![0], notAfter: r![1] });
    const ica = await forgeCa('ica', root, { notBefore: i![0], notAfter: i![1] });
    const leaf = await forgeLeaf('leaf', ica, { notBefore: l![0], notAfter: l![1] });
    return {
      id,
      description: `validity: ${id}`,
      expected,
      anchors: [root],
      intermediates: [ica],
      leaf,
      time,
    };
  };
const d = (s: string) => new Date(s);
const span = (a: string, b: string): [Date, Date] => [d(a), d(b)];
const ALL_2024: [Date, Date] = span('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z');
const LATE_2024: [Date, Date] = span('2024-03-01T00:00:01Z', '2024-04-01T00:00:00Z');

export const CERT_CASES: CaseFactory[] = [
  // Trust anchors (issue 10, group 1).
  rootCase('rfc5280::unknown-critical-extension-root', 'FAILURE', { extra: [UNKNOWN_CRITICAL] }),
  rootCase('rfc5280::root-missing-basic-constraints', 'FAILURE', { bc: null }),
  rootCase('rfc5280::root-non-critical-basic-constraints', 'FAILURE', { bc: bcExt(true, undefined, false) }),
  rootCase('rfc5280::root-inconsistent-ca-extensions', 'FAILURE', { ku: kuExt(0, false) }),
  rootCase('rfc5280::aki::critical-aki', 'FAILURE', {
    aki: { oid: OIDS.aki, critical: true, value: ext.aki(new Uint8Array(20).fill(3)) },
  }),
  rootCase('rfc5280::ski::critical-ski', 'FAILURE', {
    ski: { oid: OIDS.ski, critical: true, value: ext.ski(new Uint8Array(20).fill(4)) },
  }),
  rootCase('rfc5280::ski::root-missing-ski', 'FAILURE', { ski: null }),
  rootCase('rfc5280::aki::self-signed-root-missing-aki', 'SUCCESS', { aki: null }),
  rootCase('rfc5280::ca-empty-subject', 'FAILURE', { subject: [] }),
  async () => {
    const xsigner = await forgeRoot('xsigner');
    const root = await forgeCa('cross-signed root', xsigner, { ...caExtensions(0), aki: null });
    return {
      id: 'rfc5280::aki::cross-signed-root-missing-aki',
      description: 'a cross-signed anchor without AKI',
      expected: 'FAILURE',
      anchors: [root],
      leaf: await forgeLeaf('leaf', root),
    };
  },
  async () => {
    const root = await forgeRoot('swapped root');
    const ica = await forgeCa('swapped ica', root);
    return {
      id: 'rfc5280::root-and-intermediate-swapped',
      description: 'the ICA is the anchor',
      expected: 'SUCCESS',
      anchors: [ica],
      intermediates: [root],
      leaf: await forgeLeaf('leaf', ica),
    };
  },
  async () => {
    const root = await forgeRoot('untrusted root');
    const ica = await forgeCa('ica', root, caExtensions(0));
    const unrelated = await forgeRoot('x509-limbo-unrelated-root');
    return {
      id: 'rfc5280::chain-untrusted-root',
      description: 'the root is not trusted',
      expected: 'FAILURE',
      anchors: [unrelated],
      intermediates: [root, ica],
      leaf: await forgeLeaf('leaf', ica),
    };
  },
  // Profile rules on path certificates (group 2).
  icaCase('rfc5280::unknown-critical-extension-intermediate', 'FAILURE', {
    ...caExtensions(0),
    extra: [UNKNOWN_CRITICAL],
  }),
  leafCase('rfc5280::unknown-critical-extension-ee', 'FAILURE', { extra: [UNKNOWN_CRITICAL] }),
  icaCase('rfc5280::intermediate-ca-without-ca-bit', 'FAILURE', { bc: bcExt(false) }),
  icaCase('rfc5280::intermediate-ca-missing-basic-constraints', 'FAILURE', { bc: null }),
  icaCase('rfc5280::ica-ku-keycertsign', 'FAILURE', { bc: bcExt(true, 0), ku: kuExt(0, false) }),
  leafCase('rfc5280::leaf-ku-keycertsign', 'FAILURE', {
    ku: kuExt(KU_BITS.digitalSignature | KU_BITS.keyCertSign, false),
  }),
  leafCase('rfc5280::aki::leaf-missing-aki', 'FAILURE', { aki: null }),
  icaCase('rfc5280::aki::intermediate-missing-aki', 'FAILURE', { ...caExtensions(0), aki: null }),
  icaCase('rfc5280::ski::intermediate-missing-ski', 'FAILURE', { ski: null }),
  leafCase('rfc5280::ee-aia', 'SUCCESS', {
    extra: [{ oid: OIDS.aia, value: ext.aia('http://example.com/ca.crt') }],
  }),
  leafCase('rfc5280::ee-critical-aia-invalid', 'FAILURE', {
    extra: [{ oid: OIDS.aia, critical: true, value: ext.aia('http://example.com/ca.crt') }],
  }),
  leafCase('rfc5280::duplicate-extensions', 'FAILURE', {
    san: null,
    extra: [san({ dns: 'example.com' }), san({ dns: 'example.com' })],
  }),
  leafCase('rfc5280::no-keyusage', 'SUCCESS', { ku: null }),
  leafCase('rfc5280::no-basicconstraints', 'SUCCESS', { bc: null }),
  leafCase('rfc5280::san::malformed', 'FAILURE', {
    san: { oid: OIDS.san, value: new TextEncoder().encode('example.com') },
  }),
  leafCase('rfc5280::san::noncritical-with-empty-subject', 'FAILURE', {
    subject: [],
    san: san({ dns: 'example.com' }),
  }),
  leafCase('helmlink::san::invalid-dns-name', 'FAILURE', { san: san({ dns: 'exa mple.com' }) }),
  leafCase('helmlink::san::2048-names', 'SUCCESS', {
    san: san(
      ...Array.from({ length: 2048 }, (_, i): GeneralNameSpec =>
        i % 2 ? { dns: `h${i}.example.com` } : { dn: [['CN', `u${i}`]] },
      ),
    ),
  }),
  leafCase('helmlink::eku::empty', 'FAILURE', {
    eku: { oid: OIDS.eku, value: new Uint8Array([0x30, 0x00]) },
  }),
  leafCase(
    'rfc5280::eku::ee-wrong-eku',
    'FAILURE',
    { eku: { oid: OIDS.eku, value: ext.eku([OIDS.clientAuth]) } },
    ['serverAuth'],
  ),
  leafCase('rfc5280::eku::ee-without-eku', 'SUCCESS', {}),
  icaCase('rfc5280::pc::ica-noncritical-pc', 'FAILURE', {
    extra: [{ oid: OIDS.pc, value: ext.policyConstraints(3) }],
  }),
  leafCase('rfc5280::serial::serial-number-too-long', 'FAILURE', { serial: new Uint8Array(22).fill(0x5a) }),
  leafCase('rfc5280::serial::serial-number-zero', 'FAILURE', { serial: new Uint8Array([0]) }),
  leafCase('rfc5280::serial::serial-number-negative', 'FAILURE', { serial: new Uint8Array([0xf0, 0x01]) }),
  async () => {
    const root = await forgeRoot('root empty issuer');
    const leaf = await forgeLeaf('empty-issuer', root, { issuerName: [] });
    return {
      id: 'rfc5280::ee-empty-issuer',
      description: 'a leaf with an empty issuer',
      expected: 'FAILURE',
      anchors: [root],
      leaf,
    };
  },
  async () => {
    const root = await forgeRoot('mismatch root');
    return {
      id: 'rfc5280::mismatching-signature-algorithm',
      description: 'outer and inner algorithms differ',
      expected: 'FAILURE',
      anchors: [root],
      leaf: mismatchedAlgorithm(await forgeLeaf('leaf', root)),
    };
  },
  async () => {
    const root = await forgeRoot('ca as leaf root');
    const ica = await forgeCa('ca leaf', root, { san: san({ dns: 'ca.example.com' }) });
    return {
      id: 'rfc5280::ca-as-leaf',
      description: 'a CA certificate in leaf position',
      expected: 'SUCCESS',
      anchors: [root],
      leaf: ica,
    };
  },
  async () => {
    const root = await forgeRoot('pathlen root');
    const ica1 = await forgeCa('ica1', root, caExtensions(0));
    const ica2 = await forgeCa('ica2', ica1, caExtensions(0));
    return {
      id: 'pathlen::intermediate-violates-pathlen-0',
      description: 'pathLen 0 followed by a CA',
      expected: 'FAILURE',
      anchors: [root],
      intermediates: [ica1, ica2],
      leaf: await forgeLeaf('leaf', ica2),
    };
  },
  // Validity in whole seconds (group 7).
  validityCase('rfc5280::validity::expired-root', 'FAILURE', d('2022-01-01T00:00:00Z'), [
    span('2016-01-01T00:00:00Z', '2020-01-01T00:00:00Z'),
    span('2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    span('2018-01-01T00:00:00Z', '2023-01-01T00:00:00Z'),
  ]),
  validityCase('rfc5280::validity::expired-intermediate', 'FAILURE', d('2022-01-01T00:00:00Z'), [
    span('2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    span('2016-01-01T00:00:00Z', '2020-01-01T00:00:00Z'),
    span('2018-01-01T00:00:00Z', '2023-01-01T00:00:00Z'),
  ]),
  validityCase('rfc5280::validity::expired-leaf', 'FAILURE', d('2022-01-01T00:00:00Z'), [
    span('2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    span('2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    span('2018-01-01T00:00:00Z', '2021-01-01T00:00:00Z'),
  ]),
  validityCase('rfc5280::validity::notbefore-exact', 'SUCCESS', ALL_2024[0], [ALL_2024, ALL_2024, ALL_2024]),
  validityCase('rfc5280::validity::notbefore-fractional', 'FAILURE', new Date(LATE_2024[0].getTime() - 1), [
    LATE_2024,
    LATE_2024,
    LATE_2024,
  ]),
  validityCase('rfc5280::validity::notafter-exact', 'SUCCESS', ALL_2024[1], [ALL_2024, ALL_2024, ALL_2024]),
  validityCase('rfc5280::validity::notafter-fractional', 'SUCCESS', new Date(ALL_2024[1].getTime() + 5), [
    ALL_2024,
    ALL_2024,
    ALL_2024,
  ]),
  // Crafted chains (group 5).
  async () => {
    const root = await forgeRoot('x509-limbo-root');
    const root2 = await forgeRoot('x509-limbo-root-2');
    const expired = await forge({
      subject: root.subject,
      issuer: root2,
      keys: root.keys,
      ...caExtensions(1),
      san: null,
      notAfter: d('1988-11-25T00:00:00Z'),
      notBefore: d('1980-01-01T00:00:00Z'),
    });
    return {
      id: 'pathological::multiple-chains-expired-intermediate',
      description: 'chain of pain',
      expected: 'SUCCESS',
      anchors: [root, root2],
      intermediates: [expired],
      leaf: await forgeLeaf('leaf', root),
    };
  },
  async () => {
    const root = await forgeRoot('cycle root');
    const a = await forgeRoot('cycle-ca1');
    const b = await forgeCa('cycle-ca2', a);
    const a2 = await forgeCa('cycle-ca1', b, { keys: a.keys });
    return {
      id: 'pathological::intermediate-cycle-distinct-cas',
      description: 'two CAs certifying each other',
      expected: 'FAILURE',
      anchors: [root],
      intermediates: [a2, b],
      leaf: await forgeLeaf('leaf', a2),
    };
  },
  async () => {
    const root = await forgeRoot('crafted root');
    const { pool, leaf } = await forgeSameKeyPool(100);
    return {
      id: 'helmlink::pathological::pool-100-one-key',
      description: '100 look-alikes, one key',
      expected: 'FAILURE',
      anchors: [root],
      intermediates: pool,
      leaf,
    };
  },
  async () => {
    const root = await forgeRoot('crafted root 2');
    const { pool, leaf } = await forgeRingPool(100);
    return {
      id: 'helmlink::pathological::pool-100-distinct-keys',
      description: '100 look-alikes, a ring of keys',
      expected: 'FAILURE',
      anchors: [root],
      intermediates: pool,
      leaf,
    };
  },
];
