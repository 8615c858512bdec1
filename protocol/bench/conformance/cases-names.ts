/**
 * Hostile-corpus cases for name constraints (RFC 5280 4.2.1.10, 6.1.3 (b)(c), 6.1.4 (g)), modelled on the
 * x509-limbo rfc5280::nc family (its published case list and expectations; the certificates are ours).
 */
import {
  caExtensions,
  forgeCa,
  forgeLeaf,
  forgeRoot,
  type GeneralNameSpec,
  type NameSpec,
  OIDS,
  ext,
} from '../../test/pki/forge';
import { type CaseFactory, nc, san } from './case';

/** root (with NC) → leaf (with SAN). */
function rootNc(
  id: string,
  expected: 'SUCCESS' | 'FAILURE',
  permitted: GeneralNameSpec[] | undefined,
  excluded: GeneralNameSpec[] | undefined,
  leafNames: GeneralNameSpec[],
  subject?: NameSpec,
  critical = true,
): CaseFactory {
  return async () => {
    const root = await forgeRoot(`nc root ${id}`, { extra: [nc(permitted, excluded, critical)] });
    const leaf = await forgeLeaf('leaf', root, { san: san(...leafNames), ...(subject ? { subject } : {}) });
    return {
      id: `nc::${id}`,
      description: `root NC, leaf ${JSON.stringify(leafNames)}`,
      expected,
      anchors: [root],
      leaf,
    };
  };
}

/** root → ICA (with NC) → leaf. */
function icaNc(
  id: string,
  expected: 'SUCCESS' | 'FAILURE',
  permitted: GeneralNameSpec[] | undefined,
  excluded: GeneralNameSpec[] | undefined,
  leafNames: GeneralNameSpec[],
  subject?: NameSpec,
): CaseFactory {
  return async () => {
    const root = await forgeRoot(`nc ica root ${id}`);
    const ica = await forgeCa('constrained ica', root, { extra: [nc(permitted, excluded)] });
    const leaf = await forgeLeaf('leaf', ica, { san: san(...leafNames), ...(subject ? { subject } : {}) });
    return {
      id: `nc::${id}`,
      description: `ICA NC, leaf ${JSON.stringify(leafNames)}`,
      expected,
      anchors: [root],
      intermediates: [ica],
      leaf,
    };
  };
}

const ON = '1.3.6.1.4.1.55738.666.3';

export const NAME_CASES: CaseFactory[] = [
  rootNc('permitted-dns-mismatch', 'FAILURE', [{ dns: 'example.com' }], undefined, [
    { dns: 'not-example.com' },
  ]),
  icaNc('excluded-dns-match', 'FAILURE', undefined, [{ dns: 'example.com' }], [{ dns: 'example.com' }]),
  rootNc('permitted-dns-match', 'SUCCESS', [{ dns: 'example.com' }], undefined, [{ dns: 'example.com' }]),
  rootNc(
    'permitted-dns-match-noncritical',
    'FAILURE',
    [{ dns: 'example.com' }],
    undefined,
    [{ dns: 'example.com' }],
    undefined,
    false,
  ),
  rootNc('permitted-dns-match-more', 'SUCCESS', [{ dns: 'example.com' }], undefined, [
    { dns: 'foo.bar.example.com' },
  ]),
  rootNc(
    'excluded-dns-match-second',
    'FAILURE',
    undefined,
    [{ dns: 'not-allowed.example.com' }],
    [{ dns: 'example.com' }, { dns: 'not-allowed.example.com' }],
  ),
  rootNc('permitted-ip-mismatch', 'FAILURE', [{ ip: '192.0.2.0/24' }], undefined, [{ ip: '192.0.3.1' }]),
  rootNc('excluded-ipv4-match', 'FAILURE', undefined, [{ ip: '192.0.2.0/24' }], [{ ip: '192.0.2.1' }]),
  rootNc('excluded-ipv6-match', 'FAILURE', undefined, [{ ip: '::1/128' }], [{ ip: '::1' }]),
  rootNc('permitted-ipv4-match', 'SUCCESS', [{ ip: '192.0.2.0/24' }], undefined, [{ ip: '192.0.2.1' }]),
  rootNc('permitted-ipv6-match', 'SUCCESS', [{ ip: '::1/128' }], undefined, [{ ip: '::1' }]),
  rootNc(
    'permitted-dn-mismatch',
    'FAILURE',
    [{ dn: [['CN', 'foo']] }],
    undefined,
    [{ dn: [['CN', 'not-foo']] }],
    [['CN', 'not-foo']],
  ),
  rootNc(
    'excluded-dn-match',
    'FAILURE',
    undefined,
    [{ dn: [['CN', 'foo']] }],
    [{ dn: [['CN', 'foo']] }],
    [['CN', 'foo']],
  ),
  rootNc(
    'permitted-dn-match',
    'SUCCESS',
    [{ dn: [['CN', 'foo']] }],
    undefined,
    [{ dn: [['CN', 'foo']] }],
    [['CN', 'foo']],
  ),
  rootNc(
    'permitted-dn-match-subject-san-mismatch',
    'FAILURE',
    [{ dn: [['CN', 'foo']] }],
    undefined,
    [{ dn: [['CN', 'foo']] }],
    [['CN', 'not-foo']],
  ),
  rootNc(
    'excluded-dn-match-sub-mismatch',
    'FAILURE',
    undefined,
    [{ dn: [['CN', 'foo']] }],
    [{ dn: [['CN', 'not-foo']] }],
    [['CN', 'foo']],
  ),
  rootNc(
    'excluded-match-permitted-and-excluded',
    'FAILURE',
    [{ dns: 'example.com' }],
    [{ dns: 'example.com' }],
    [{ dns: 'example.com' }],
  ),
  rootNc('permitted-different-constraint-type', 'SUCCESS', [{ ip: '192.0.2.0/24' }], undefined, [
    { dns: 'example.com' },
  ]),
  rootNc(
    'excluded-different-constraint-type',
    'SUCCESS',
    undefined,
    [{ ip: '192.0.2.0/24' }],
    [{ dns: 'example.com' }],
  ),
  rootNc('invalid-dnsname-wildcard', 'FAILURE', [{ dns: '*.example.com' }], undefined, [
    { dns: 'foo.example.com' },
  ]),
  rootNc('invalid-dnsname-leading-period', 'FAILURE', [{ dns: '.example.com' }], undefined, [
    { dns: 'foo.example.com' },
  ]),
  rootNc('invalid-ipv4-address', 'FAILURE', [{ ipBytes: new Uint8Array([127, 0, 0, 1]) }], undefined, [
    { ip: '127.0.0.1' },
  ]),
  rootNc(
    'invalid-ipv6-address',
    'FAILURE',
    [{ ipBytes: new Uint8Array(16).fill(0).map((_, i) => (i === 15 ? 1 : 0)) }],
    undefined,
    [{ ip: '::1' }],
  ),
  rootNc('invalid-email-address', 'FAILURE', [{ email: 'invalid@invalid@example.com' }], undefined, [
    { email: 'example@example.com' },
  ]),
  icaNc('nc-permits-invalid-dns-san', 'FAILURE', [{ dns: 'example.com' }], undefined, [
    { dns: '.example.com' },
    { dns: 'foo.example.com' },
  ]),
  icaNc('nc-permits-invalid-ip-san', 'FAILURE', [{ ip: '192.0.2.0/24' }], undefined, [
    { ip: '192.0.2.0/24' },
    { ip: '192.0.2.1' },
  ]),
  icaNc('nc-permits-invalid-email-san', 'FAILURE', [{ email: 'example.com' }], undefined, [
    { email: 'good@example.com' },
    { email: 'invalid@address@example.com' },
  ]),
  icaNc('nc-permits-email-exact', 'SUCCESS', [{ email: 'foo@example.com' }], undefined, [
    { email: 'foo@example.com' },
  ]),
  icaNc('nc-permits-email-domain', 'SUCCESS', [{ email: 'example.com' }], undefined, [
    { email: 'foo@example.com' },
  ]),
  icaNc(
    'nc-forbids-othername',
    'FAILURE',
    [{ dns: 'example.com' }],
    [{ otherName: ON }],
    [{ dns: 'example.com' }, { otherName: ON }],
  ),
  icaNc(
    'nc-forbids-othername-noop',
    'SUCCESS',
    [{ dns: 'example.com' }],
    [{ otherName: ON }],
    [{ dns: 'example.com' }],
  ),
  icaNc(
    'email-in-subject-outside-permitted',
    'FAILURE',
    [{ email: 'example.com' }],
    undefined,
    [{ dns: 'example.com' }],
    [
      ['CN', 'leaf'],
      ['E', 'x@evil.example'],
    ],
  ),
  icaNc('uri-host-outside-permitted', 'FAILURE', [{ uri: '.example.com' }], undefined, [
    { uri: 'https://evil.example/x' },
  ]),
  icaNc(
    'urn-under-uri-constraint',
    'FAILURE',
    undefined,
    [{ uri: 'example.com' }],
    [{ uri: 'urn:example:1' }],
  ),
  icaNc(
    'wildcard-covers-excluded',
    'FAILURE',
    undefined,
    [{ dns: 'bad.example.com' }],
    [{ dns: '*.example.com' }],
  ),
  icaNc(
    'cn-hostname-outside-permitted',
    'FAILURE',
    [{ dns: 'example.com' }],
    undefined,
    [{ uri: 'urn:example:2' }],
    [['CN', 'www.evil.example']],
  ),
  async () => {
    const root = await forgeRoot('not-example.com', {
      san: san({ dns: 'not-example.com' }),
      extra: [nc([{ dns: 'example.com' }])],
    });
    const ica = await forgeCa('not-example.com', root, { san: san({ dns: 'not-example.com' }) });
    const leaf = await forgeLeaf('leaf', ica);
    return {
      id: 'nc::permitted-self-issued',
      description: 'a self-issued intermediate is not checked',
      expected: 'SUCCESS',
      anchors: [root],
      intermediates: [ica],
      leaf,
    };
  },
  async () => {
    const root = await forgeRoot('sil root', { extra: [nc([{ dns: 'example.com' }])] });
    const ica = await forgeCa('ica', root);
    const leaf = await forgeLeaf('ica', ica, { san: san({ dns: 'not-example.com' }) });
    return {
      id: 'nc::excluded-self-issued-leaf',
      description: 'a self-issued end entity is checked',
      expected: 'FAILURE',
      anchors: [root],
      intermediates: [ica],
      leaf,
    };
  },
  async () => {
    const root = await forgeRoot('isr root', {
      extra: [nc([{ dns: 'permitted.example.com' }], [{ dns: 'forbidden.example.com' }])],
    });
    const ica1 = await forgeCa('ica1', root);
    const ica2 = await forgeCa('ica2', ica1, { san: san({ dns: 'forbidden.example.com' }) });
    const leaf = await forgeLeaf('leaf', ica2, { san: san({ dns: 'permitted.example.com' }) });
    return {
      id: 'nc::intermediate-with-san-rejected-by-root-nc',
      description: 'ICA SAN vs root NC',
      expected: 'FAILURE',
      anchors: [root],
      intermediates: [ica1, ica2],
      leaf,
    };
  },
  async () => {
    const root = await forgeRoot('isi root');
    const ica1 = await forgeCa('ica1', root, {
      extra: [nc([{ dns: 'permitted.example.com' }], [{ dns: 'forbidden.example.com' }])],
    });
    const ica2 = await forgeCa('ica2', ica1, { san: san({ dns: 'forbidden.example.com' }) });
    const leaf = await forgeLeaf('leaf', ica2, { san: san({ dns: 'permitted.example.com' }) });
    return {
      id: 'nc::intermediate-with-san-rejected-by-intermediate-nc',
      description: 'ICA2 SAN vs ICA1 NC',
      expected: 'FAILURE',
      anchors: [root],
      intermediates: [ica1, ica2],
      leaf,
    };
  },
  ...(['narrows', 'widens'] as const).map((mode) => async () => {
    const root = await forgeRoot(`rp root ${mode}`);
    const first =
      mode === 'narrows'
        ? [{ dns: 'foo.example.com' }, { dns: 'bar.example.com' }]
        : [{ dns: 'bar.example.com' }];
    const second =
      mode === 'narrows'
        ? [{ dns: 'bar.example.com' }]
        : [{ dns: 'foo.example.com' }, { dns: 'bar.example.com' }];
    const ica1 = await forgeCa('ica1', root, { extra: [nc(first)] });
    const ica2 = await forgeCa('ica2', ica1, { extra: [nc(second)] });
    const leaf = await forgeLeaf('leaf', ica2, { san: san({ dns: 'foo.example.com' }) });
    return {
      id: `nc::restrictive-permits-in-intermediates-${mode}`,
      description: 'permitted subtrees intersect',
      expected: 'FAILURE' as const,
      anchors: [root],
      intermediates: [ica1, ica2],
      leaf,
    };
  }),
  async () => {
    const trusted = await forgeRoot('nc-alt trusted');
    const discarded = await forgeRoot('nc-alt discarded');
    const icaA = await forgeCa('ica a', trusted, {
      extra: [nc([{ dns: 'permitted.example.com' }], [{ dns: 'forbidden.example.com' }])],
    });
    const shared = await forgeRoot('unused key holder');
    const b1 = await forgeCa('an-intermediate', discarded, {
      keys: shared.keys,
      san: san({ dns: 'forbidden.example.com' }),
    });
    const b2 = await forgeCa('an-intermediate', icaA, { keys: shared.keys });
    const leaf = await forgeLeaf('permitted.example.com', b1, { san: san({ dns: 'permitted.example.com' }) });
    return {
      id: 'nc::nc-forbids-alternate-chain-ica',
      description: 'build around the constrained alternative',
      expected: 'SUCCESS',
      anchors: [trusted],
      intermediates: [icaA, b1, b2],
      leaf,
    };
  },
  ...[true, false].map((critical) => async () => {
    const root = await forgeRoot(`ee nc root ${critical}`);
    const leaf = await forgeLeaf('leaf', root, {
      extra: [{ oid: OIDS.nc, critical, value: ext.nameConstraints([{ dns: 'example.com' }]) }],
    });
    return {
      id: `nc::not-allowed-in-ee-${critical ? 'critical' : 'noncritical'}`,
      description: 'NC in an end entity',
      expected: 'FAILURE' as const,
      anchors: [root],
      leaf,
    };
  }),
  async () => {
    const root = await forgeRoot('nc max root', {
      ...caExtensions(),
      extra: [
        {
          oid: OIDS.nc,
          critical: true,
          value: new Uint8Array([
            0x30,
            0x14,
            0xa0,
            0x12,
            0x30,
            0x10,
            0x82,
            0x0b,
            ...new TextEncoder().encode('example.com'),
            0x81,
            0x01,
            0x00,
          ]),
        },
      ],
    });
    const leaf = await forgeLeaf('leaf', root);
    return {
      id: 'nc::subtree-with-maximum',
      description: 'maximum MUST be absent (4.2.1.10)',
      expected: 'FAILURE',
      anchors: [root],
      leaf,
    };
  },
];
