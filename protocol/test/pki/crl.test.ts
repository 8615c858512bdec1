/**
 * The CRL rules of crl.ts, each against the fault it stands for: a CRL used outside its scope (another
 * distribution point, other reasons, the wrong kind of certificate), a distribution point asking for a CRL issuer
 * the CRL is not, an older CRL winning over a newer one, a released hold still counted (or a revocation missed),
 * and the time checks' words. Certificates and CRLs are forged at the DER level (forge.ts) and read as validation
 * reads them (certInfo, parseCrlDer).
 */
import '../../src/reflect';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_REASONS,
  checkCrlTime,
  crlScope,
  deltaReleases,
  lookupEntry,
  newerFirst,
} from '../../src/pki/crl';
import { parseCrlDer, type CrlInfo } from '../../src/pki/crl-parse';
import { certInfo, type CertInfo } from '../../src/pki/extensions';
import {
  type CrlForgeParams,
  DAY,
  type DistributionPointSpec,
  ext,
  FORGE_NOW,
  type Forged,
  forgeCa,
  forgeCrl,
  forgeLeaf,
  forgeRoot,
  type GeneralNameSpec,
  type IssuingDistributionPointSpec,
} from './forge';

const ROOT = 'CRL Scope Root';
const KEY_COMPROMISE = 1;
const CA_COMPROMISE = 2;
const AFFILIATION_CHANGED = 3;
const bit = (reason: number): number => 1 << reason;
const CRL_URI: GeneralNameSpec = { uri: 'http://ca.example/issuing.crl' };
const OTHER_URI: GeneralNameSpec = { uri: 'http://ca.example/other.crl' };
const ROOT_DN: GeneralNameSpec = { dn: [['CN', ROOT]] };
const OTHER_DN: GeneralNameSpec = { dn: [['CN', 'Someone Else']] };

let root: Forged;
beforeAll(async () => {
  root = await forgeRoot(ROOT);
});

/** A leaf (or a CA) under the root with the given CRL distribution points (none: no extension). */
async function cert(points?: readonly DistributionPointSpec[], ca = false): Promise<CertInfo> {
  const extra = points ? [{ oid: '2.5.29.31', value: ext.distributionPoints(points) }] : [];
  const forged = ca ? await forgeCa('sub-ca', root, { extra }) : await forgeLeaf('leaf', root, { extra });
  return certInfo(forged.certificate);
}

/** A CRL of the root with the given issuing distribution point (none: no extension). */
async function crl(
  idp?: IssuingDistributionPointSpec,
  more: Omit<CrlForgeParams, 'issuer'> = {},
): Promise<CrlInfo> {
  const extra = idp ? [{ oid: '2.5.29.28', critical: true, value: ext.issuingDistributionPoint(idp) }] : [];
  return parseCrlDer(await forgeCrl({ issuer: root, extra, ...more }));
}

describe('crlScope: for which reasons a CRL covers a certificate (RFC 5280 6.3.3 (b), (d))', () => {
  it('a full CRL covers a certificate without distribution points for every reason (the implied point)', async () => {
    expect(crlScope(await cert(), await crl())).toBe(ALL_REASONS);
    expect(ALL_REASONS).toBe(0b1_1111_1110);
  });

  it('an empty distribution point list is read as none: the issuer CRL still covers it (fails closed)', async () => {
    expect(crlScope(await cert([]), await crl())).toBe(ALL_REASONS);
  });

  it('a CRL of attribute certificates covers no public-key certificate', async () => {
    expect(crlScope(await cert(), await crl({ onlyAttributeCerts: true }))).toBe(0);
  });

  it('a user-certificates-only CRL does not cover a CA, a CA-only CRL does not cover a leaf', async () => {
    const leaf = await cert();
    const ca = await cert(undefined, true);
    expect(crlScope(ca, await crl({ onlyUserCerts: true }))).toBe(0);
    expect(crlScope(leaf, await crl({ onlyUserCerts: true }))).toBe(ALL_REASONS);
    expect(crlScope(leaf, await crl({ onlyCaCerts: true }))).toBe(0);
    expect(crlScope(ca, await crl({ onlyCaCerts: true }))).toBe(ALL_REASONS);
  });

  it("a partitioned CRL covers only certificates naming its distribution point (another partition's CRL is no answer)", async () => {
    const partitioned = await crl({ fullName: [CRL_URI] });
    expect(crlScope(await cert([{ fullName: [CRL_URI] }]), partitioned)).toBe(ALL_REASONS);
    expect(crlScope(await cert([{ fullName: [OTHER_URI] }]), partitioned)).toBe(0);
    // One matching point among several is enough.
    expect(crlScope(await cert([{ fullName: [OTHER_URI] }, { fullName: [CRL_URI] }]), partitioned)).toBe(
      ALL_REASONS,
    );
    // One point with two names (an HTTP and an LDAP location of the same CRL): one matching name is enough.
    expect(crlScope(await cert([{ fullName: [OTHER_URI, CRL_URI] }]), partitioned)).toBe(ALL_REASONS);
    // A certificate naming no point is not in any partition.
    expect(crlScope(await cert(), partitioned)).toBe(0);
  });

  it('reasons: a point for keyCompromise only, a CRL for cACompromise only, and both together', async () => {
    expect(crlScope(await cert([{ fullName: [CRL_URI], reasons: [KEY_COMPROMISE] }]), await crl())).toBe(
      bit(KEY_COMPROMISE),
    );
    expect(crlScope(await cert(), await crl({ onlySomeReasons: [CA_COMPROMISE] }))).toBe(bit(CA_COMPROMISE));
    expect(
      crlScope(
        await cert([{ fullName: [CRL_URI], reasons: [KEY_COMPROMISE, AFFILIATION_CHANGED] }]),
        await crl({ onlySomeReasons: [AFFILIATION_CHANGED, CA_COMPROMISE] }),
      ),
    ).toBe(bit(AFFILIATION_CHANGED));
    // Two points add up.
    expect(
      crlScope(
        await cert([
          { fullName: [CRL_URI], reasons: [KEY_COMPROMISE] },
          { fullName: [OTHER_URI], reasons: [CA_COMPROMISE] },
        ]),
        await crl(),
      ),
    ).toBe(bit(KEY_COMPROMISE) | bit(CA_COMPROMISE));
  });

  it('a point naming a cRLIssuer is served only by a CRL of that issuer that says it is indirect', async () => {
    const wantsRoot = await cert([{ cRLIssuer: [ROOT_DN] }]);
    expect(crlScope(wantsRoot, await crl({ indirectCrl: true }))).toBe(ALL_REASONS);
    // Without indirectCRL the CRL does not claim to speak for other points' issuers.
    expect(crlScope(wantsRoot, await crl())).toBe(0);
    // Another issuer named: this CRL is not the one asked for.
    expect(crlScope(await cert([{ cRLIssuer: [OTHER_DN] }]), await crl({ indirectCrl: true }))).toBe(0);
    // One directory name among other kinds of names is enough (names that are not directory names never match).
    expect(crlScope(await cert([{ cRLIssuer: [CRL_URI, ROOT_DN] }]), await crl({ indirectCrl: true }))).toBe(
      ALL_REASONS,
    );
    expect(crlScope(await cert([{ cRLIssuer: [CRL_URI] }]), await crl({ indirectCrl: true }))).toBe(0);
  });

  it('a cRLIssuer point without a name is matched against the CRL point by its cRLIssuer names', async () => {
    const wantsRoot = await cert([{ cRLIssuer: [ROOT_DN] }]);
    expect(crlScope(wantsRoot, await crl({ indirectCrl: true, fullName: [ROOT_DN] }))).toBe(ALL_REASONS);
    expect(crlScope(wantsRoot, await crl({ indirectCrl: true, fullName: [CRL_URI] }))).toBe(0);
    // With a name, the name decides.
    const named = await cert([{ fullName: [CRL_URI], cRLIssuer: [ROOT_DN] }]);
    expect(crlScope(named, await crl({ indirectCrl: true, fullName: [CRL_URI] }))).toBe(ALL_REASONS);
    expect(crlScope(named, await crl({ indirectCrl: true, fullName: [ROOT_DN] }))).toBe(0);
  });
});

describe('which CRL wins, and what an entry says', () => {
  const info = (number: bigint | undefined, thisUpdate: number) => ({ number, thisUpdate }) as CrlInfo;

  it('the higher CRL number wins whatever the dates (an old CRL re-signed later does not win)', () => {
    expect(newerFirst(info(5n, 1000), info(4n, 2000))).toBe(-1);
    expect(newerFirst(info(4n, 2000), info(5n, 1000))).toBe(1);
    // A CRL without a number ranks below any numbered one, even number 0.
    expect(newerFirst(info(undefined, 2000), info(0n, 1000))).toBe(1);
    expect(newerFirst(info(0n, 1000), info(undefined, 2000))).toBe(-1);
  });

  it('on equal numbers the later thisUpdate wins', () => {
    expect(newerFirst(info(7n, 1000), info(7n, 3000))).toBe(2000);
    expect(newerFirst(info(7n, 3000), info(7n, 1000))).toBe(-2000);
    expect([info(7n, 1000), info(7n, 3000), info(8n, 0)].sort(newerFirst).map((c) => c.thisUpdate)).toEqual([
      0, 3000, 1000,
    ]);
  });

  it('a listed serial is revoked with its reason; an unlisted one and a removeFromCRL entry are not', async () => {
    const listed = await crl(undefined, {
      entries: [
        { serial: new Uint8Array([0x11]), reason: KEY_COMPROMISE },
        { serial: new Uint8Array([0x22]), reason: 8 },
      ],
    });
    expect(lookupEntry(listed, '11')).toEqual({ reasonCode: KEY_COMPROMISE, reason: 'keyCompromise' });
    expect(lookupEntry(listed, '33')).toBeUndefined();
    expect(lookupEntry(listed, '22')).toBeUndefined();
    // A delta's removeFromCRL releases a hold; a delta revocation or an unlisted serial releases nothing.
    expect(deltaReleases(listed, '22')).toBe(true);
    expect(deltaReleases(listed, '11')).toBe(false);
    expect(deltaReleases(listed, '33')).toBe(false);
  });
});

describe('checkCrlTime', () => {
  const at = (ms: number) => FORGE_NOW.getTime() + ms;

  it('a CRL issued after the verification time is ERR_CRL_INVALID, naming its thisUpdate', async () => {
    const future = await crl(undefined, { thisUpdate: new Date(at(2000)) });
    expect(() => checkCrlTime(future, at(0), 0)).toThrowError(
      expect.objectContaining({
        code: 'ERR_CRL_INVALID',
        message: `the CRL of CN=${ROOT} was issued after the verification time (thisUpdate ${new Date(at(2000)).toISOString()})`,
      }),
    );
    // Issued exactly now is fine.
    expect(checkCrlTime(future, at(2000), 0)).toBe(at(DAY));
  });

  it('a stale CRL is ERR_CRL_STALE naming its nextUpdate; within the grace it is used and the grace extends its horizon', async () => {
    const c = await crl(undefined, { thisUpdate: new Date(at(-DAY)), nextUpdate: new Date(at(0)) });
    expect(checkCrlTime(c, at(0), 0)).toBe(at(0));
    expect(checkCrlTime(c, at(5000), 5000)).toBe(at(5000));
    let err: unknown;
    try {
      checkCrlTime(c, at(5001), 5000);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'ERR_CRL_STALE',
      message: `the CRL of CN=${ROOT} is stale (nextUpdate ${new Date(at(0)).toISOString()})`,
      details: { nextUpdate: new Date(at(0)).toISOString() },
    });
  });
});
