/** Enrollment with a one-time token and renewal over mutual TLS. */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, createSign } from 'node:crypto';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '@helmlink/protocol';
import { createTestCa, headerFor, leafDer, makeCsr } from '../../helpers';
import { admin, app, authority, clock, dir, enroll, errorCode, setupRouteApp, token } from './fixture';

setupRouteApp();

describe('POST /ca/v1/enroll', () => {
  it('issues a vessel certificate with the profile and consumes the token', async () => {
    const t = await token({
      entityId: 'mv-aurora',
      roles: ['vessel'],
      imo: '9074729',
      mmsi: '257123456',
      flag: 'NO',
    });
    const csr = await makeCsr('mv-aurora');
    const res = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: csr.pem, token: t },
    });
    expect(res.statusCode).toBe(201);
    const cert = parseCertificate(res.json().certificate);
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(san.names.items.map((n) => n.value)).toEqual([
      'urn:mrn:helmlink:vessel:mv-aurora',
      'urn:mrn:imo:imo-number:9074729',
      'urn:mrn:itu:mmsi:257123456',
      'urn:mrn:helmlink:flag:NO',
    ]);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(authority.store.getCertificate(res.json().serial)?.status).toBe('valid');
    const again = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: csr.pem, token: t },
    });
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe('ERR_ENROLL_TOKEN_USED');
    expect(authority.listAlerts().some((a) => a.kind === 'token_reuse')).toBe(true);
  });

  it("certifies the ship's name from the token, and a renewal keeps it", async () => {
    // An IMO no other test's entity holds: the CA certifies one IMO per entity.
    const e = await enroll('IMO9321483', ['vessel'], { name: 'MV Skagen Pioneer', imo: '9321483' });
    const names = (pem: string) =>
      parseCertificate(pem)
        .getExtension(x509.SubjectAlternativeNameExtension)!
        .names.items.map((n) => n.value);
    expect(names(e.certificate)).toContain('urn:mrn:helmlink:name:MV%20Skagen%20Pioneer');
    const renewed = await app.inject({
      method: 'POST',
      url: '/ca/v1/renew',
      headers: headerFor(leafDer(e.certificate)),
    });
    expect(renewed.statusCode).toBe(201);
    expect(names(renewed.json().certificate)).toContain('urn:mrn:helmlink:name:MV%20Skagen%20Pioneer');
  });

  it('issues a broker certificate with serverAuth', async () => {
    const e = await enroll('broker-1', ['broker']);
    expect(parseCertificate(e.certificate).getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([
      '1.3.6.1.5.5.7.3.1',
    ]);
  });
});

describe('POST /ca/v1/enroll: token and subject refusals', () => {
  it('refuses unknown and expired tokens', async () => {
    const csr = await makeCsr('x1');
    const unknown = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: csr.pem, token: 'hlt_nope' },
    });
    expect(unknown.statusCode).toBe(403);
    expect(errorCode(unknown)).toBe('ERR_ENROLL_TOKEN_UNKNOWN');
    expect(authority.listAlerts().some((a) => a.kind === 'token_unknown')).toBe(true);
    const t = await token({ entityId: 'x1', roles: ['pilot'], ttlSeconds: 60 });
    clock.advance(61_000);
    const expired = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: csr.pem, token: t },
    });
    expect(errorCode(expired)).toBe('ERR_ENROLL_TOKEN_EXPIRED');
  });

  it('refuses a subject that is not the token entity, extra names and extra subject attributes', async () => {
    const t = await token({ entityId: 'pilot-a', roles: ['pilot'] });
    const wrong = await makeCsr('pilot-b');
    const res = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: wrong.pem, token: t },
    });
    expect(res.statusCode).toBe(422);
    expect(errorCode(res)).toBe('ERR_CSR_SUBJECT_MISMATCH');
    expect(authority.listAlerts().some((a) => a.kind === 'subject_mismatch')).toBe(true);
    const san = await makeCsr('pilot-a', {
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'evil.example' }])],
    });
    expect(
      errorCode(
        await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: san.pem, token: t } }),
      ),
    ).toBe('ERR_CSR_EXTENSION_FORBIDDEN');
    const admin = await makeCsr('pilot-a', {
      extensions: [
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: 'urn:mrn:helmlink:admin:pilot-a' }]),
      ],
    });
    expect(
      errorCode(
        await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: admin.pem, token: t } }),
      ),
    ).toBe('ERR_CSR_EXTENSION_FORBIDDEN');
    const ca = await makeCsr('pilot-a', {
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    expect(
      errorCode(
        await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: ca.pem, token: t } }),
      ),
    ).toBe('ERR_CSR_EXTENSION_FORBIDDEN');
    const ou = await makeCsr('pilot-a', { subject: new x509.Name([{ OU: ['x'] }, { CN: ['pilot-a'] }]) });
    expect(
      errorCode(
        await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: ou.pem, token: t } }),
      ),
    ).toBe('ERR_CSR_SUBJECT_MISMATCH');
    const ok = await makeCsr('pilot-a', {
      extensions: [
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: 'urn:mrn:helmlink:pilot:pilot-a' }]),
      ],
    });
    expect(
      (await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: ok.pem, token: t } }))
        .statusCode,
    ).toBe(201);
  });
});

describe('POST /ca/v1/enroll: key and signature refusals', () => {
  it('refuses weak keys, SHA-1 signatures, bad signatures and garbage', async () => {
    const t = await token({ entityId: 'mv-weak', roles: ['vessel'] });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dirTmp = dir;
    const keyFile = join(dirTmp, 'weak.key');
    execFileSync('sh', ['-c', `cat > ${keyFile}`], {
      input: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    });
    const rsaCsr = execFileSync('openssl', ['req', '-new', '-key', keyFile, '-subj', '/CN=mv-weak'], {
      encoding: 'utf8',
    });
    const weak = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: rsaCsr, token: t },
    });
    expect(weak.statusCode).toBe(422);
    expect(errorCode(weak)).toBe('ERR_KEY_WEAK');
    expect(authority.listAlerts().some((a) => a.kind === 'weak_key')).toBe(true);

    const ecKey = join(dirTmp, 'ec.key');
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      ecKey,
    ]);
    const sha1 = execFileSync('openssl', ['req', '-new', '-sha1', '-key', ecKey, '-subj', '/CN=mv-weak'], {
      encoding: 'utf8',
    });
    expect(
      errorCode(await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: sha1, token: t } })),
    ).toBe('ERR_SIG_ALG_WEAK');
    const k1 = execFileSync(
      'openssl',
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1'],
      { encoding: 'utf8' },
    );
    const k1File = join(dirTmp, 'k1.key');
    execFileSync('sh', ['-c', `cat > ${k1File}`], { input: k1 });
    const k1Csr = execFileSync('openssl', ['req', '-new', '-key', k1File, '-subj', '/CN=mv-weak'], {
      encoding: 'utf8',
    });
    expect(
      errorCode(
        await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: k1Csr, token: t } }),
      ),
    ).toBe('ERR_KEY_UNSUPPORTED');

    // A valid CSR whose signature bytes are altered.
    const good = await makeCsr('mv-weak');
    const der = Buffer.from(good.pem.replace(/-----[^-]+-----|\s/gu, ''), 'base64');
    der[der.length - 5]! ^= 0x01;
    const bad = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const badRes = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: bad, token: t },
    });
    expect(errorCode(badRes)).toBe('ERR_CSR_SIGNATURE');
    expect(authority.listAlerts().some((a) => a.kind === 'csr_signature_invalid')).toBe(true);
    expect(
      errorCode(
        await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: 'garbage', token: t } }),
      ),
    ).toBe('ERR_CSR_INVALID');
    void createSign;
  });
});

describe('POST /ca/v1/enroll: body validation and rate limits', () => {
  it('validates the body and its size', async () => {
    const missing = await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: 'x' } });
    expect(missing.statusCode).toBe(400);
    expect(errorCode(missing)).toBe('ERR_INPUT_INVALID');
    const extra = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: 'x', token: 'y', role: 'admin' },
    });
    expect(errorCode(extra)).toBe('ERR_INPUT_INVALID');
    const big = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: 'x'.repeat(70_000), token: 'y' },
    });
    expect(big.statusCode).toBe(413);
    const text = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      headers: { 'content-type': 'application/xml' },
      payload: '<csr/>',
    });
    expect(text.statusCode).toBe(415);
    expect(errorCode(text)).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
    expect(errorCode(big)).toBe('ERR_BODY_TOO_LARGE');
  });

  it('rate-limits per identity with 429 + Retry-After, audited once', async () => {
    const t = await token({ entityId: 'mv-flood', roles: ['vessel'] });
    const bad = await makeCsr('someone-else');
    const codes: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/ca/v1/enroll',
        payload: { csr: bad.pem, token: t },
      });
      codes.push(res.statusCode);
      if (res.statusCode === 429) retryAfter = res.headers['retry-after'] as string;
    }
    expect(codes).toEqual([422, 422, 422, 422, 422, 422, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(
      authority.store
        .listAudit()
        .filter((e) => e.action === 'rate_limit.trip' && e.details.key === 'mv-flood'),
    ).toHaveLength(1);
    expect(authority.listAlerts().some((a) => a.kind === 'rate_limited')).toBe(true);
  });
});

describe('POST /ca/v1/renew (mTLS)', () => {
  it('renews with the same key, and re-keys with a CSR for the same subject', async () => {
    const e = await enroll('mv-renew', ['vessel'], { imo: '9305556' });
    const der = leafDer(e.certificate);
    const same = await app.inject({ method: 'POST', url: '/ca/v1/renew', headers: headerFor(der) });
    expect(same.statusCode).toBe(201);
    const renewed = parseCertificate(same.json().certificate);
    expect(renewed.subject).toContain('CN=mv-renew');
    expect(
      renewed.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.value),
    ).toContain('urn:mrn:imo:imo-number:9305556');
    expect(authority.store.getCertificate(same.json().serial)?.renewedFrom).toBe(e.serial);
    // The renewal superseded its predecessor: the client goes on with the new certificate.
    expect(authority.store.getCertificate(e.serial)).toMatchObject({ status: 'revoked', reason: 4 });
    const renewedDer = leafDer(same.json().certificate);
    const rekey = await makeCsr('mv-renew');
    const res = await app.inject({
      method: 'POST',
      url: '/ca/v1/renew',
      headers: headerFor(renewedDer),
      payload: { csr: rekey.pem },
    });
    expect(res.statusCode, res.body).toBe(201);
    const other = await makeCsr('mv-other');
    const mismatch = await app.inject({
      method: 'POST',
      url: '/ca/v1/renew',
      headers: headerFor(leafDer(res.json().certificate)),
      payload: { csr: other.pem },
    });
    expect(errorCode(mismatch)).toBe('ERR_CSR_SUBJECT_MISMATCH');
  });

  it('refuses without a client certificate, with a foreign one and with a revoked one', async () => {
    const none = await app.inject({ method: 'POST', url: '/ca/v1/renew' });
    expect(none.statusCode).toBe(401);
    expect(errorCode(none)).toBe('ERR_CLIENT_CERT_REQUIRED');
    const foreign = await createTestCa(clock);
    const foreignRes = await app.inject({
      method: 'POST',
      url: '/ca/v1/renew',
      headers: headerFor(leafDer(foreign.init.adminCertPath!)),
    });
    expect(errorCode(foreignRes)).toBe('ERR_CLIENT_CERT_INVALID');
    expect(foreignRes.json().error.details.reason).toBe('ERR_CHAIN_UNTRUSTED');
    const e = await enroll('mv-revoked', ['vessel']);
    await app.inject({
      method: 'POST',
      url: '/ca/v1/revoke',
      headers: admin(),
      payload: { serial: e.serial, reason: 1 },
    });
    const revoked = await app.inject({
      method: 'POST',
      url: '/ca/v1/renew',
      headers: headerFor(leafDer(e.certificate)),
    });
    expect(revoked.statusCode).toBe(401);
    expect(errorCode(revoked)).toBe('ERR_CLIENT_CERT_INVALID');
    expect(revoked.json().error.details.reason).toBe('ERR_CHAIN_REVOKED');
  });
});
