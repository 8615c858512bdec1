/**
 * Name constraints (RFC 5280 4.2.1.10, 6.1.3 (b)(c), 6.1.4 (g); name-constraints.ts) through validatePath:
 * root → constrained ICA → leaf, per name form, with permitted/excluded, intersection across CAs, the
 * email-in-the-subject rule, forms that cannot be decided, and backtracking past a constrained path.
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import { concat, tlv } from '../../src/pki/der-writer';
import { decodeNameConstraints, NameConstraintState } from '../../src/pki/name-constraints';
import { validatePath, type ValidatePathOptions } from '../../src/pki/validate';
import {
  encodeGeneralName,
  ext,
  type Forged,
  type ForgeParams,
  forgeCa,
  forgedPathOptions,
  forgeLeaf,
  forgeRoot,
  type GeneralNameSpec,
  type NameSpec,
  OIDS,
} from './forge';
import { rejection } from './helpers';

let root: Forged;

const nc = (permitted?: GeneralNameSpec[], excluded?: GeneralNameSpec[]) => ({
  oid: OIDS.nc,
  critical: true,
  value: ext.nameConstraints(permitted, excluded),
});
const san = (...names: GeneralNameSpec[]) => ({ oid: OIDS.san, value: ext.generalNames(names) });

const opts = (intermediates: Forged[], anchors: Forged[] = [root]): ValidatePathOptions =>
  forgedPathOptions(anchors, intermediates);

/** The verdict for a leaf with `leaf` fields under an ICA constrained by (permitted, excluded). */
async function verdict(
  permitted: GeneralNameSpec[] | undefined,
  excluded: GeneralNameSpec[] | undefined,
  leaf: Partial<ForgeParams>,
): Promise<string> {
  const ica = await forgeCa('Constrained ICA', root, { extra: [nc(permitted, excluded)] });
  const l = await forgeLeaf('leaf', ica, leaf);
  return (await rejection(validatePath(l.certificate, opts([ica])))).code;
}
const NC = 'ERR_CHAIN_NAME_CONSTRAINTS';
const OK = 'resolved';

beforeAll(async () => {
  root = await forgeRoot('NC Test Root');
});

describe('name constraints per form', () => {
  it('dNSName: a constraint covers the name and every name with more labels on the left', async () => {
    expect(await verdict([{ dns: 'example.com' }], undefined, { san: san({ dns: 'example.com' }) })).toBe(OK);
    expect(
      await verdict([{ dns: 'example.com' }], undefined, { san: san({ dns: 'foo.bar.EXAMPLE.com' }) }),
    ).toBe(OK);
    expect(await verdict([{ dns: 'example.com' }], undefined, { san: san({ dns: 'not-example.com' }) })).toBe(
      NC,
    );
    expect(
      await verdict([{ dns: 'host.example.com' }], undefined, { san: san({ dns: 'host1.example.com' }) }),
    ).toBe(NC);
    expect(
      await verdict(undefined, [{ dns: 'not-allowed.example.com' }], {
        san: san({ dns: 'example.com' }, { dns: 'not-allowed.example.com' }),
      }),
    ).toBe(NC);
  });

  it('dNSName: a wildcard is excluded when it can stand for an excluded name; permitted only inside', async () => {
    expect(
      await verdict(undefined, [{ dns: 'bad.example.com' }], { san: san({ dns: '*.example.com' }) }),
    ).toBe(NC);
    expect(await verdict(undefined, [{ dns: 'other.org' }], { san: san({ dns: '*.example.com' }) })).toBe(OK);
    expect(await verdict([{ dns: 'example.com' }], undefined, { san: san({ dns: '*.example.com' }) })).toBe(
      OK,
    );
    expect(
      await verdict([{ dns: 'foo.example.com' }], undefined, { san: san({ dns: '*.example.com' }) }),
    ).toBe(NC);
  });

  it('rfc822Name: a mailbox, a host, or ".domain" (hosts below it only)', async () => {
    expect(
      await verdict([{ email: 'foo@example.com' }], undefined, { san: san({ email: 'foo@EXAMPLE.com' }) }),
    ).toBe(OK);
    expect(
      await verdict([{ email: 'foo@example.com' }], undefined, { san: san({ email: 'Foo@example.com' }) }),
    ).toBe(NC);
    expect(
      await verdict([{ email: 'example.com' }], undefined, { san: san({ email: 'anyone@example.com' }) }),
    ).toBe(OK);
    expect(
      await verdict([{ email: 'example.com' }], undefined, {
        san: san({ email: 'anyone@mail.example.com' }),
      }),
    ).toBe(NC);
    expect(
      await verdict([{ email: '.example.com' }], undefined, {
        san: san({ email: 'anyone@mail.example.com' }),
      }),
    ).toBe(OK);
    expect(
      await verdict([{ email: '.example.com' }], undefined, { san: san({ email: 'anyone@example.com' }) }),
    ).toBe(NC);
    expect(
      await verdict(undefined, [{ email: 'example.com' }], { san: san({ email: 'x@example.com' }) }),
    ).toBe(NC);
  });

  it('rfc822Name: the emailAddress attribute of the subject is checked too; an address literal cannot be', async () => {
    const subject: NameSpec = [
      ['CN', 'leaf'],
      ['E', 'someone@evil.example'],
    ];
    expect(
      await verdict([{ email: 'example.com' }], undefined, { subject, san: san({ dns: 'example.com' }) }),
    ).toBe(NC);
    expect(
      await verdict(undefined, [{ email: 'evil.example' }], { subject, san: san({ dns: 'example.com' }) }),
    ).toBe(NC);
    expect(
      await verdict([{ email: 'evil.example' }], undefined, { subject, san: san({ dns: 'example.com' }) }),
    ).toBe(OK);
    expect(
      await verdict(undefined, [{ email: 'evil.example' }], { san: san({ email: 'x@[192.0.2.1]' }) }),
    ).toBe(NC);
    // The subject's emailAddress is not syntax-checked by the profile: a value that is no mailbox cannot be
    // shown to be outside an excluded domain, so it fails (a trailing "@", an unterminated quote).
    for (const e of ['someone@', 'someone@evil.example"']) {
      expect(
        await verdict(undefined, [{ email: 'evil.example' }], {
          subject: [
            ['CN', 'leaf'],
            ['E', e],
          ],
        }),
      ).toBe(NC);
    }
  });

  it('iPAddress: address and mask of the same family', async () => {
    expect(await verdict([{ ip: '192.0.2.0/24' }], undefined, { san: san({ ip: '192.0.2.77' }) })).toBe(OK);
    expect(await verdict([{ ip: '192.0.2.0/24' }], undefined, { san: san({ ip: '192.0.3.1' }) })).toBe(NC);
    expect(await verdict([{ ip: '192.0.2.0/24' }], undefined, { san: san({ ip: '::ffff:c000:201' }) })).toBe(
      NC,
    );
    expect(await verdict([{ ip: '2001:db8::/32' }], undefined, { san: san({ ip: '2001:db8:1::5' }) })).toBe(
      OK,
    );
    expect(await verdict(undefined, [{ ip: '0.0.0.0/0' }], { san: san({ ip: '203.0.113.9' }) })).toBe(NC);
  });

  it('directoryName: an RDN prefix, applied to the subject and to directory names in the SAN', async () => {
    const under: NameSpec = [
      ['O', 'Fleet'],
      ['CN', 'leaf'],
    ];
    expect(await verdict([{ dn: [['O', 'Fleet']] }], undefined, { subject: under })).toBe(OK);
    expect(
      await verdict([{ dn: [['O', 'Fleet']] }], undefined, {
        subject: [
          ['O', 'Other'],
          ['CN', 'leaf'],
        ],
      }),
    ).toBe(NC);
    expect(
      await verdict([{ dn: [['O', 'Fleet']] }], undefined, {
        subject: under,
        san: san({ dn: [['O', 'Other']] }),
      }),
    ).toBe(NC);
    expect(
      await verdict(undefined, [{ dn: [['O', 'Fleet']] }], {
        subject: [
          ['O', 'fleet'],
          ['CN', 'x'],
        ],
      }),
    ).toBe(NC);
  });

  it('URI: the host of the URI, exact or ".domain"; a URI without a host fails under URI constraints', async () => {
    expect(
      await verdict([{ uri: 'host.example.com' }], undefined, {
        san: san({ uri: 'https://user@HOST.example.com:8443/p' }),
      }),
    ).toBe(OK);
    expect(
      await verdict([{ uri: 'example.com' }], undefined, { san: san({ uri: 'https://www.example.com/' }) }),
    ).toBe(NC);
    expect(
      await verdict([{ uri: '.example.com' }], undefined, { san: san({ uri: 'https://www.example.com/' }) }),
    ).toBe(OK);
    expect(
      await verdict(undefined, [{ uri: '.example.com' }], { san: san({ uri: 'https://www.example.com/' }) }),
    ).toBe(NC);
    expect(
      await verdict(undefined, [{ uri: 'example.com' }], { san: san({ uri: 'urn:mrn:helmlink:pilot:p-1' }) }),
    ).toBe(NC);
  });

  it('a constraint on one form leaves the other forms free', async () => {
    expect(await verdict([{ ip: '192.0.2.0/24' }], undefined, { san: san({ dns: 'example.com' }) })).toBe(OK);
    expect(await verdict(undefined, [{ ip: '192.0.2.0/24' }], { san: san({ dns: 'example.com' }) })).toBe(OK);
  });

  it('a form this validator does not process fails only when a name of that form appears (4.2.1.10)', async () => {
    const on = '1.3.6.1.4.1.55738.666.3';
    expect(
      await verdict([{ dns: 'example.com' }], [{ otherName: on }], {
        san: san({ dns: 'example.com' }, { otherName: on }),
      }),
    ).toBe(NC);
    expect(
      await verdict([{ dns: 'example.com' }], [{ otherName: on }], { san: san({ dns: 'example.com' }) }),
    ).toBe(OK);
  });

  it('the common name of an end entity without a dNSName is checked when it is a host name', async () => {
    expect(
      await verdict([{ dns: 'example.com' }], undefined, {
        subject: [['CN', 'www.evil.example']],
        san: san({ uri: 'urn:x:y' }),
      }),
    ).toBe(NC);
    expect(
      await verdict([{ dns: 'example.com' }], undefined, {
        subject: [['CN', 'Pilot One']],
        san: san({ uri: 'urn:x:y' }),
      }),
    ).toBe(OK);
  });
});

describe('which names are checked, and against which subtrees', () => {
  it('an excluded subtree of one form never matches a name of another form, in a list of several forms', async () => {
    const cases: [GeneralNameSpec[], Partial<ForgeParams>][] = [
      [[{ dns: 'other.org' }, { email: 'example.com' }], { san: san({ dns: 'a.example.com' }) }],
      [[{ dns: 'other.org' }, { email: 'example.com' }], { san: san({ dns: '*.example.com' }) }],
      [[{ email: 'other.org' }, { dns: 'example.com' }], { san: san({ email: 'x@example.com' }) }],
      [[{ email: 'other.org' }, { dns: 'example.com' }], { san: san({ email: 'x@a.example.com' }) }],
      [[{ uri: 'other.org' }, { email: 'example.com' }], { san: san({ uri: 'https://x@example.com/' }) }],
      [[{ uri: 'other.org' }, { dns: 'example.com' }], { san: san({ uri: 'https://example.com/' }) }],
      [[{ dns: 'other.org' }, { uri: 'example.com' }], { san: san({ dns: 'a.example.com' }) }],
      [[{ dns: 'other.org' }, { ip: '192.0.2.0/24' }], { san: san({ dns: 'a.example.com' }) }],
      [[{ ip: '198.51.100.0/24' }, { dns: 'example.com' }], { san: san({ ip: '192.0.2.1' }) }],
      [[{ dns: 'other.org' }, { dn: [['O', 'Fleet']] }], { san: san({ dns: 'a.example.com' }) }],
      [
        [{ dn: [['O', 'Other']] }, { dns: 'example.com' }],
        {
          subject: [
            ['O', 'Fleet'],
            ['CN', 'leaf'],
          ],
          san: san({ uri: 'urn:x:y' }),
        },
      ],
    ];
    for (const [excluded, leaf] of cases) {
      expect({ excluded, v: await verdict(undefined, excluded, leaf) }).toEqual({ excluded, v: OK });
    }
  });

  it('an empty dNSName constraint is every DNS name; a non-wildcard name is matched label-wise only', async () => {
    expect(await verdict(undefined, [{ dns: '' }], { san: san({ dns: 'a.example.com' }) })).toBe(NC);
    expect(await verdict([{ dns: '' }], undefined, { san: san({ dns: 'a.example.com' }) })).toBe(OK);
    // "a.example.com" is beside, not inside, the excluded "bad.example.com" (only a wildcard could stand for it).
    expect(
      await verdict(undefined, [{ dns: 'bad.example.com' }], { san: san({ dns: 'a.example.com' }) }),
    ).toBe(OK);
  });

  it('rfc822Name: a mailbox constraint needs the same host too (attack: foo@ another domain)', async () => {
    expect(
      await verdict([{ email: 'foo@example.com' }], undefined, { san: san({ email: 'foo@other.com' }) }),
    ).toBe(NC);
  });

  it('URI: an IP literal host, or one that is no DNS name, cannot be checked; host names with digits can', async () => {
    const ex = [{ uri: '.other.org' }];
    expect(await verdict(undefined, ex, { san: san({ uri: 'https://192.0.2.1/' }) })).toBe(NC);
    expect(await verdict(undefined, ex, { san: san({ uri: 'https://*.example.com/' }) })).toBe(NC);
    for (const uri of ['https://1a.example.com/', 'https://a.example1/', 'https://localhost/']) {
      expect(await verdict(undefined, ex, { san: san({ uri }) }), uri).toBe(OK);
    }
  });

  it('forms this validator does not process are told apart by tag: an otherName constraint leaves a registeredID free', async () => {
    const registeredId = { raw: new Uint8Array([0x88, 0x03, 0x2a, 0x03, 0x04]) };
    expect(
      await verdict(undefined, [{ otherName: '1.3.6.1.4.1.55738.666.3' }], {
        san: san({ dns: 'example.com' }, registeredId),
      }),
    ).toBe(OK);
  });

  it('permitted sets of several CAs: a name is checked only against the sets that constrain its form', async () => {
    // Attack the other way round: a CA permitting only e-mail must not let a DNS name escape the DNS set above it.
    const dnsCa = await forgeCa('DNS ICA', root, { extra: [nc([{ dns: 'example.com' }])] });
    const emailCa = await forgeCa('Mail ICA', dnsCa, { extra: [nc([{ email: 'example.com' }])] });
    const inside = await forgeLeaf('leaf', emailCa, { san: san({ dns: 'a.example.com' }) });
    await expect(validatePath(inside.certificate, opts([dnsCa, emailCa]))).resolves.toBeDefined();
    const outside = await forgeLeaf('leaf', emailCa, { san: san({ dns: 'evil.org' }) });
    expect((await rejection(validatePath(outside.certificate, opts([dnsCa, emailCa])))).code).toBe(NC);
    // One set of mixed forms: the DNS part still applies.
    expect(
      await verdict([{ dns: 'example.com' }, { email: 'example.com' }], undefined, {
        san: san({ dns: 'evil.org' }),
      }),
    ).toBe(NC);
  });

  it('directoryName: the whole constraint must be a prefix of the name, RDN by RDN', async () => {
    const subject: NameSpec = [
      ['O', 'Fleet'],
      ['OU', 'Ops'],
      ['CN', 'leaf'],
    ];
    expect(await verdict([{ dn: subject }], undefined, { subject })).toBe(OK);
    expect(
      await verdict(
        [
          {
            dn: [
              ['O', 'Fleet'],
              ['OU', 'Other'],
            ],
          },
        ],
        undefined,
        { subject },
      ),
    ).toBe(NC);
  });

  it('an empty subject is not a directory name to check; a CA is not checked by its common name', async () => {
    expect(
      await verdict([{ dn: [['O', 'Fleet']] }], undefined, {
        subject: [],
        san: { ...san({ dns: 'example.com' }), critical: true },
      }),
    ).toBe(OK);
    const ica1 = await forgeCa('ICA1', root, { extra: [nc([{ dns: 'example.com' }])] });
    const ica2 = await forgeCa('ica.evil.example', ica1);
    const leaf = await forgeLeaf('leaf', ica2, { san: san({ dns: 'a.example.com' }) });
    await expect(validatePath(leaf.certificate, opts([ica1, ica2]))).resolves.toBeDefined();
  });

  it("the end entity's common name is checked only when it has no dNSName and the CN is a host name (a wildcard too)", async () => {
    const permitted = [{ dns: 'example.com' }];
    const cn = (name: string, ...names: GeneralNameSpec[]) =>
      verdict(permitted, undefined, { subject: [['CN', name]], san: san(...names) });
    expect(await cn('www.evil.example', { dns: 'a.example.com' }, { uri: 'urn:x:y' })).toBe(OK);
    expect(await cn('evilhost', { uri: 'urn:x:y' })).toBe(OK);
    expect(await cn('Fleet Unit 1.2', { uri: 'urn:x:y' })).toBe(OK);
    expect(await cn('*.evil.example', { uri: 'urn:x:y' })).toBe(NC);
  });

  it('the refusal names the certificate and the reason', async () => {
    const ica = await forgeCa('Constrained ICA', root, {
      extra: [nc([{ dns: 'example.com' }], [{ dns: 'bad.example.com' }])],
    });
    const outside = await forgeLeaf('leaf', ica, { san: san({ dns: 'evil.org' }) });
    const r = await rejection(validatePath(outside.certificate, opts([ica])));
    expect([r.code, r.message, r.details]).toEqual([
      NC,
      '"CN=leaf": dns evil.org is outside the permitted subtrees',
      { subject: 'CN=leaf', serial: expect.any(String), name: 'dns evil.org', kind: 'dns' },
    ]);
    const excluded = await forgeLeaf('leaf', ica, { san: san({ dns: 'x.bad.example.com' }) });
    expect((await rejection(validatePath(excluded.certificate, opts([ica])))).message).toBe(
      '"CN=leaf": dns x.bad.example.com is inside the excluded subtree dns bad.example.com',
    );
  });
});

describe('name constraints along the path', () => {
  it('permitted subtrees of several CAs intersect: a later CA cannot widen them', async () => {
    const narrow = await forgeCa('ICA1', root, { extra: [nc([{ dns: 'bar.example.com' }])] });
    const wide = await forgeCa('ICA2', narrow, {
      extra: [nc([{ dns: 'foo.example.com' }, { dns: 'bar.example.com' }])],
    });
    const foo = await forgeLeaf('leaf', wide, { san: san({ dns: 'foo.example.com' }) });
    expect((await rejection(validatePath(foo.certificate, opts([narrow, wide])))).code).toBe(NC);
    const bar = await forgeLeaf('leaf', wide, { san: san({ dns: 'x.bar.example.com' }) });
    await expect(validatePath(bar.certificate, opts([narrow, wide]))).resolves.toBeDefined();
  });

  it("an intermediate's SAN is checked against the constraints of the CA above it", async () => {
    const ica1 = await forgeCa('ICA1', root, {
      extra: [nc([{ dns: 'permitted.example.com' }], [{ dns: 'forbidden.example.com' }])],
    });
    const ica2 = await forgeCa('ICA2', ica1, { san: san({ dns: 'forbidden.example.com' }) });
    const leaf = await forgeLeaf('leaf', ica2, { san: san({ dns: 'permitted.example.com' }) });
    const r = await rejection(validatePath(leaf.certificate, opts([ica1, ica2])));
    expect(r.code).toBe(NC);
    expect(r.details).toMatchObject({ subject: ica2.certificate.subject, kind: 'dns' });
  });

  it('path building backtracks past a path whose constraints fail to one that passes', async () => {
    const otherRoot = await forgeRoot('Other Root');
    const constraining = await forgeCa('ICA A', root, {
      extra: [nc(undefined, [{ dns: 'forbidden.example.com' }])],
    });
    const shared = await forgeRoot('unused');
    const viaA = await forgeCa('ICA B', constraining, {
      keys: shared.keys,
      san: san({ dns: 'forbidden.example.com' }),
    });
    const viaOther = await forgeCa('ICA B', otherRoot, {
      keys: shared.keys,
      san: san({ dns: 'unconstrained.example.com' }),
    });
    const leaf = await forgeLeaf('leaf', viaA, { san: san({ dns: 'unconstrained.example.com' }) });
    const path = await validatePath(
      leaf.certificate,
      opts([constraining, viaA, viaOther], [root, otherRoot]),
    );
    expect(path.anchor).toBe(otherRoot.certificate);
    expect(
      (await rejection(validatePath(leaf.certificate, opts([constraining, viaA], [root, otherRoot])))).code,
    ).toBe(NC);
  });
});

describe('bypass attempts by spelling', () => {
  it('dNSName: case in the name or the constraint, a trailing dot and deeper labels do not escape an exclusion', async () => {
    const bad = [{ dns: 'bad.example.com' }];
    expect(await verdict(undefined, bad, { san: san({ dns: 'BAD.Example.COM' }) })).toBe(NC);
    expect(
      await verdict(undefined, [{ dns: 'BAD.EXAMPLE.COM' }], { san: san({ dns: 'bad.example.com' }) }),
    ).toBe(NC);
    expect(await verdict(undefined, bad, { san: san({ dns: 'x.bad.example.com' }) })).toBe(NC);
    // "bad.example.com." is the same host written absolute: not a preferred-syntax dNSName (4.2.1.6).
    expect(await verdict(undefined, bad, { san: san({ dns: 'bad.example.com.' }) })).toBe(
      'ERR_CHAIN_PROFILE',
    );
  });

  it('rfc822Name: the host part is compared without case; a trailing dot is refused', async () => {
    expect(
      await verdict(undefined, [{ email: 'evil.example' }], { san: san({ email: 'x@EVIL.Example' }) }),
    ).toBe(NC);
    expect(
      await verdict(undefined, [{ email: '.EVIL.example' }], { san: san({ email: 'x@mx.evil.EXAMPLE' }) }),
    ).toBe(NC);
    expect(
      await verdict(undefined, [{ email: 'evil.example' }], { san: san({ email: 'x@evil.example.' }) }),
    ).toBe('ERR_CHAIN_PROFILE');
  });

  it('URI: case, a port or user info do not escape; a host written absolute or percent-encoded cannot be checked', async () => {
    expect(
      await verdict(undefined, [{ uri: '.example.com' }], {
        san: san({ uri: 'https://HOST.Example.COM:8443/x' }),
      }),
    ).toBe(NC);
    expect(
      await verdict(undefined, [{ uri: 'bad.example.com' }], {
        san: san({ uri: 'https://good.org@bad.example.com/x' }),
      }),
    ).toBe(NC);
    // Attack: "bad.example.com." and "bad%2Eexample.com" resolve to the excluded host, yet equal no constraint
    // as strings; they were accepted before (fail open). 4.2.1.10: a name that cannot be processed is refused.
    for (const uri of ['https://bad.example.com./x', 'https://bad%2Eexample.com/x']) {
      expect(await verdict(undefined, [{ uri: 'bad.example.com' }], { san: san({ uri }) }), uri).toBe(NC);
      expect(await verdict([{ uri: '.example.org' }], undefined, { san: san({ uri }) }), uri).toBe(NC);
    }
    expect(
      await verdict(undefined, [{ uri: 'bad.example.com' }], {
        san: san({ uri: 'https://good.example.com/x' }),
      }),
    ).toBe(OK);
  });

  it('URI: a backslash is no URI character (RFC 3986); a WHATWG parser reads "bad\\@good" as host bad, so it is refused', async () => {
    // Attack: this URI was read as host "good.org" (after the "@") and passed an excluded "bad.example.com",
    // while browsers and Node's URL read its host as "bad.example.com" (fail open).
    const uri = 'https://bad.example.com\\@good.org/x';
    expect(new URL(uri).hostname).toBe('bad.example.com');
    expect(await verdict(undefined, [{ uri: 'bad.example.com' }], { san: san({ uri }) })).toBe(
      'ERR_CHAIN_PROFILE',
    );
    expect(
      await verdict(undefined, [{ uri: 'bad.example.com' }], { san: san({ uri: 'https://good.org/a b' }) }),
    ).toBe('ERR_CHAIN_PROFILE');
    // The constraint state does not lean on the profile check running first: such a URI is undecidable there
    // too (refused with a reason), never a RangeError escaping the search or a pass.
    const state = NameConstraintState.EMPTY.with(
      decodeNameConstraints(tlv(0x30, tlv(0xa1, tlv(0x30, encodeGeneralName({ uri: 'bad.example.com' }))))),
    );
    expect(state.violation([{ kind: 'uri', value: uri }])).toEqual({
      name: { kind: 'uri', value: uri },
      reason: `uri ${uri} cannot be checked against constraints of its form`,
    });
  });
});

describe('decoding a nameConstraints value (4.2.1.10): what a CA may not write', () => {
  const sub = (gn: GeneralNameSpec, ...fields: Uint8Array[]) =>
    tlv(0x30, concat([encodeGeneralName(gn), ...fields]));
  const list = (tag: number, ...subtrees: Uint8Array[]) => tlv(tag, concat(subtrees));
  const value = (...parts: Uint8Array[]) => tlv(0x30, concat(parts));
  const problem = (...parts: Uint8Array[]) => decodeNameConstraints(value(...parts)).problem;
  const permits = (...names: GeneralNameSpec[]) => list(0xa0, ...names.map((n) => sub(n)));
  const excludes = (...names: GeneralNameSpec[]) => list(0xa1, ...names.map((n) => sub(n)));

  it('well-formed subtrees of every form have no problem, and keep their order and list', () => {
    const nc = decodeNameConstraints(
      value(
        permits({ dns: '' }, { email: '.example.com' }, { uri: '.example.com' }, { ip: '2001:db8::/32' }),
        excludes({ email: 'host.example.com' }, { uri: 'host.example.com' }, { ip: '192.0.2.0/24' }),
      ),
    );
    expect(nc.problem).toBeUndefined();
    expect(nc.permitted?.map((gn) => gn.kind)).toEqual(['dns', 'email', 'uri', 'ip']);
    expect(nc.excluded?.map((gn) => gn.kind)).toEqual(['email', 'uri', 'ip']);
    // An explicit minimum of 0 is the default written out: no problem (DER would omit it, but it means no change).
    expect(problem(list(0xa0, sub({ dns: 'example.com' }, tlv(0x80, new Uint8Array([0])))))).toBeUndefined();
  });

  it('a base that is no host or domain, per form, is named (attack: a constraint that matches nothing)', () => {
    expect(problem(permits({ dns: '.example.com' }))).toBe(
      '".example.com" is not a DNS name in the preferred name syntax',
    );
    expect(problem(permits({ email: '..example.com' }))).toBe('"..example.com" is not a host or domain');
    expect(problem(permits({ email: 'a@b@example.com' }))).toBe(
      '"a@b@example.com" is not a mailbox (local-part@domain)',
    );
    expect(problem(permits({ uri: 'https://example.com' }))).toBe(
      'the URI constraint "https://example.com" is not a host or domain',
    );
    expect(problem(excludes({ uri: '..example.com' }))).toBe(
      'the URI constraint "..example.com" is not a host or domain',
    );
    // Only a leading period is dropped before the host is checked; a wildcard is never a constraint.
    for (const base of ['-x.example', '*.example.com']) {
      expect(problem(permits({ email: base })), base).toBe(`"${base}" is not a host or domain`);
      expect(problem(permits({ uri: base })), base).toBe(
        `the URI constraint "${base}" is not a host or domain`,
      );
    }
  });

  it('an iPAddress base is address and CIDR mask of 8 or 32 octets (attack: a mask with holes matches odd sets)', () => {
    expect(problem(permits({ ipBytes: new Uint8Array(16) }))).toBe(
      'an iPAddress constraint of 16 octets (address and mask: 8 or 32 expected)',
    );
    expect(problem(permits({ ipBytes: new Uint8Array([10, 0, 0, 0, 255, 255, 255, 255]) }))).toBeUndefined();
    expect(problem(permits({ ipBytes: new Uint8Array([10, 0, 0, 0, 0, 0, 0, 0]) }))).toBeUndefined();
    expect(problem(permits({ ipBytes: new Uint8Array([10, 0, 0, 0, 255, 254, 0, 0]) }))).toBeUndefined();
    for (const mask of [
      [255, 255, 0, 1],
      [0x7f, 0, 0, 0],
      [255, 0xfd, 0, 0],
    ]) {
      expect(problem(permits({ ipBytes: new Uint8Array([10, 0, 0, 0, ...mask]) })), `${mask}`).toBe(
        'an iPAddress constraint with a non-contiguous mask',
      );
    }
    const v6Mask = [...new Array<number>(15).fill(0xff), 0xfe];
    expect(problem(permits({ ipBytes: new Uint8Array([...new Array<number>(16).fill(0), ...v6Mask]) }))).toBe(
      undefined,
    );
    const v6Hole = [...new Array<number>(15).fill(0), 1];
    expect(problem(permits({ ipBytes: new Uint8Array([...new Array<number>(16).fill(0), ...v6Hole]) }))).toBe(
      'an iPAddress constraint with a non-contiguous mask',
    );
  });

  it('a minimum other than 0, a maximum, an empty list or no list at all are refused; problems are all listed', () => {
    expect(problem(list(0xa0, sub({ dns: 'example.com' }, tlv(0x80, new Uint8Array([1])))))).toBe(
      'a subtree with a minimum other than 0',
    );
    expect(problem(list(0xa1, sub({ dns: 'example.com' }, tlv(0x81, new Uint8Array([0])))))).toBe(
      'a subtree with a maximum',
    );
    expect(problem(list(0xa0))).toBe('an empty list of subtrees');
    expect(problem()).toBe('neither permitted nor excluded subtrees');
    expect(
      problem(
        list(
          0xa0,
          sub({ dns: 'example.com' }, tlv(0x80, new Uint8Array([2])), tlv(0x81, new Uint8Array([3]))),
        ),
        excludes({ email: '..x' }),
      ),
    ).toBe('a subtree with a minimum other than 0; a subtree with a maximum; "..x" is not a host or domain');
  });

  it('malformed DER is a RangeError: fields out of order, repeated, unknown, or trailing bytes', () => {
    const p = permits({ dns: 'example.com' });
    const x = excludes({ dns: 'bad.example.com' });
    expect(decodeNameConstraints(value(p, x)).excluded).toHaveLength(1);
    expect(() => decodeNameConstraints(value(x, p))).toThrow('DER: unexpected field in NameConstraints');
    expect(() => decodeNameConstraints(value(p, p))).toThrow('DER: unexpected field in NameConstraints');
    expect(() => decodeNameConstraints(value(x, x))).toThrow('DER: unexpected field in NameConstraints');
    expect(() => decodeNameConstraints(value(tlv(0xa2, sub({ dns: 'a.b' }))))).toThrow(
      'DER: unexpected field in NameConstraints',
    );
    expect(() => decodeNameConstraints(concat([value(p), new Uint8Array([0x05, 0x00])]))).toThrow(
      'DER: NameConstraints is not one SEQUENCE',
    );
    expect(() => decodeNameConstraints(tlv(0x31, p))).toThrow('DER: NameConstraints is not one SEQUENCE');
    expect(() =>
      decodeNameConstraints(value(list(0xa0, tlv(0x31, encodeGeneralName({ dns: 'a.b' }))))),
    ).toThrow('DER: a GeneralSubtree is not a SEQUENCE');
    expect(() =>
      decodeNameConstraints(value(list(0xa0, sub({ dns: 'a.b' }, tlv(0x82, new Uint8Array([0])))))),
    ).toThrow('DER: unexpected field in a GeneralSubtree');
  });
});
