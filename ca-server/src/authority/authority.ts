/**
 * The authority: everything the CA does, with no HTTP. Route handlers (http/) and CLIs call these methods;
 * refusals are HelmlinkErrors with stable codes. A certificate is committed to the store (with its audit entry and
 * the token it consumed) before it is returned.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as x509 from '@peculiar/x509';
import {
  HelmlinkError,
  REVOCATION_REASONS,
  assertEntityId,
  certificateFingerprint,
  certificatesToPem,
  certificateToPem,
  crlNumberOf,
  parseCrls,
  isHelmlinkError,
  parseCertificate,
  readIdentity,
  reasonName,
  validatePath,
  type EntityIdentity,
  type ErrorCode,
  type IssuerMaterial,
  type Role,
  systemClock,
  type Clock,
} from '@helmlink/protocol';
import { SqliteStore } from '../store/sqlite';
import type { AlertRecord, CaStore, CertRecord, CertStatus } from '../store/types';
import { AlertSink, type WebhookOptions } from './alerts';
import { checkCsr } from './csr';
import { assertMaritime, assertRoles } from './entity';
import { caPaths, type CaConfig, type CaPaths } from './files';
import { issueCrlFile, issueRootCrlFile, issuedCrl, ROOT_CRL_VALIDITY_SECONDS, type IssuedCrl } from './crl';
import { readCaConfig } from './init';
import { issueRecord, DAY_MS } from './issue';
import { readKey } from './keys';
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateGroup, type RateLimits } from './rate-limit';

export interface AuthorityOptions {
  dir: string;
  passphrase: string;
  /** The time source. Default: the system clock. */
  clock?: Clock;
  /** CRL lifetime (nextUpdate - thisUpdate). Default 24 h. */
  crlValiditySeconds?: number;
  /** Re-issue the CRL when less than this remains before nextUpdate. Default half the lifetime. */
  crlRefreshMarginSeconds?: number;
  alertWebhook?: WebhookOptions;
  rateLimits?: Partial<RateLimits>;
  /** Default and maximum lifetime of enrollment tokens. Default 24 h, max 30 days. */
  tokenTtlSeconds?: number;
}

/** Who performs an operation: an authenticated client identity or a local tool. */
export interface Actor {
  /** Entity id (from the client certificate) or `cli`. */
  id: string;
  serial?: string;
  address?: string;
}

export interface TokenRequest {
  entityId: string;
  roles: Role[];
  imo?: string;
  mmsi?: string;
  flag?: string;
  /** Token lifetime in seconds (default 24 h). */
  ttlSeconds?: number;
  /** Lifetime of the certificate it enrolls, in days. Default by role (vessel/broker 365, pilot/admin 90). */
  validityDays?: number;
}

export interface IssuedCertificate {
  serial: string;
  certificatePem: string;
  /** Leaf, issuing CA. */
  chainPem: string;
  /** Root certificate PEM (the trust anchor; pin its fingerprint). */
  rootPem: string;
  notAfter: string;
}

const MAX_VALIDITY_DAYS = 825;
const MAX_TOKEN_TTL = 30 * 86_400;
const ALLOWED_REASONS = new Set<number>(Object.values(REVOCATION_REASONS));
const SERIAL = /^[0-9a-f]{1,40}$/u;

/** Hash of an enrollment token as stored (SHA-256, hex). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Normalises a serial to lowercase hex or throws ERR_INPUT_INVALID. */
export function normalizeSerial(serial: unknown): string {
  const s = typeof serial === 'string' ? serial.replace(/:/gu, '').toLowerCase() : '';
  if (!SERIAL.test(s)) throw new HelmlinkError('ERR_INPUT_INVALID', 'a serial number is 1-40 hex digits');
  return s;
}

const defaultValidityDays = (roles: readonly Role[]): number =>
  roles.some((r) => r === 'vessel' || r === 'broker' || r === 'ca') ? 365 : 90;

/** Loads an initialised CA directory: decrypts the issuing key, opens the store and makes sure a current CRL exists. */
export async function loadAuthority(opts: AuthorityOptions): Promise<Authority> {
  if (typeof opts.passphrase !== 'string' || opts.passphrase.length === 0)
    throw new HelmlinkError('ERR_PASSPHRASE_REQUIRED');
  const config = await readCaConfig(opts.dir);
  if (config.state !== 'ready')
    throw new HelmlinkError(
      'ERR_CA_NOT_INITIALIZED',
      'the issuing CA certificate has not been imported yet (helmlink ca import-intermediate)',
    );
  const paths = caPaths(opts.dir);
  const root = parseCertificate(await readFile(paths.rootCert, 'utf8'));
  const issuingCert = parseCertificate(await readFile(paths.issuingCert, 'utf8'));
  const issuingKey = await readKey(paths.issuingKey, opts.passphrase);
  const rootKey = existsSync(paths.rootKey) ? await readKey(paths.rootKey, opts.passphrase) : undefined;
  const authority = new Authority(
    opts,
    config,
    paths,
    new SqliteStore(paths.db),
    root,
    { certificate: issuingCert, privateKey: issuingKey },
    rootKey,
  );
  if (existsSync(paths.crl)) authority.adoptCrl(await readFile(paths.crl, 'utf8'));
  await authority.ensureFreshCrl();
  return authority;
}

/** The CA core. Create with {@link loadAuthority}. */
export class Authority {
  readonly store: CaStore;
  readonly config: CaConfig;
  readonly paths: CaPaths;
  readonly root: x509.X509Certificate;
  readonly issuing: IssuerMaterial;
  readonly alerts: AlertSink;
  readonly clock: Clock;
  private readonly rootKey: CryptoKey | undefined;
  private readonly limiter: RateLimiter;
  private readonly crlValidity: number;
  private readonly crlMargin: number;
  private readonly tokenTtl: number;
  private crl: IssuedCrl | undefined;
  private crlChain: Promise<unknown> = Promise.resolve();
  private crlTimer: NodeJS.Timeout | undefined;
  private readonly crlListeners = new Set<(crl: IssuedCrl) => void | Promise<void>>();
  private readonly issueListeners = new Set<(record: CertRecord) => void>();
  private rootFingerprintCache: string | undefined;
  private readonly commitQueue: Array<{
    fn: () => unknown;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }> = [];
  private commitScheduled = false;

  constructor(
    opts: AuthorityOptions,
    config: CaConfig,
    paths: CaPaths,
    store: CaStore,
    root: x509.X509Certificate,
    issuing: IssuerMaterial,
    rootKey: CryptoKey | undefined,
  ) {
    this.config = config;
    this.paths = paths;
    this.store = store;
    this.root = root;
    this.issuing = issuing;
    this.rootKey = rootKey;
    this.clock = opts.clock ?? systemClock;
    this.alerts = new AlertSink(store, this.clock, opts.alertWebhook);
    this.limiter = new RateLimiter({ ...DEFAULT_RATE_LIMITS, ...opts.rateLimits }, this.clock);
    this.crlValidity = opts.crlValiditySeconds ?? 86_400;
    this.crlMargin = opts.crlRefreshMarginSeconds ?? Math.floor(this.crlValidity / 2);
    this.tokenTtl = Math.min(opts.tokenTtlSeconds ?? 86_400, MAX_TOKEN_TTL);
  }

  /**
   * Group commit: runs `fn` inside one durable transaction shared with the other writes queued in the same tick
   * (each in its own savepoint, so one refusal does not undo the others). Resolves after the COMMIT: nothing is
   * returned to a client before it is on disk, and concurrent enrollments share one fsync.
   */
  commit<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.commitQueue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.commitScheduled) {
        this.commitScheduled = true;
        setImmediate(() => this.flushCommits());
      }
    });
  }

  private flushCommits(): void {
    this.commitScheduled = false;
    const jobs = this.commitQueue.splice(0);
    const results: Array<{ ok: boolean; value: unknown }> = [];
    try {
      this.store.transaction(() => {
        for (const job of jobs) {
          try {
            results.push({ ok: true, value: this.store.transaction(job.fn) });
          } catch (err) {
            results.push({ ok: false, value: err });
          }
        }
      });
    } catch (err) {
      for (const job of jobs) job.reject(err);
      return;
    }
    jobs.forEach((job, i) =>
      results[i]!.ok ? job.resolve(results[i]!.value) : job.reject(results[i]!.value),
    );
  }

  /** SHA-256 fingerprint of the root certificate (lowercase hex). */
  async rootFingerprint(): Promise<string> {
    this.rootFingerprintCache ??= await certificateFingerprint(this.root);
    return this.rootFingerprintCache;
  }

  private pemCache: { chain: string; root: string; issuing: string } | undefined;

  private pems(): { chain: string; root: string; issuing: string } {
    this.pemCache ??= {
      chain: certificatesToPem([this.issuing.certificate, this.root]),
      root: certificatesToPem([this.root]),
      issuing: certificateToPem(this.issuing.certificate),
    };
    return this.pemCache;
  }

  /** PEM of the issuing CA and the root (the chain clients install). */
  chainPem(): string {
    return this.pems().chain;
  }

  rootPem(): string {
    return this.pems().root;
  }

  // --- rate limits ------------------------------------------------------------------------------------------------

  /** Counts a request; throws ERR_RATE_LIMITED (details.retryAfter seconds) over the limit. The first trip is audited and alerted. */
  checkRate(group: RateGroup, kind: 'perAddress' | 'perIdentity', key: string): void {
    const verdict = this.limiter.hit(group, kind, key);
    if (verdict.allowed) return;
    if (verdict.firstTrip) {
      const details = { group, kind, key };
      this.audit('rate_limiter', 'rate_limit.trip', details);
      this.alerts.raise(
        'rate_limited',
        'warning',
        `rate limit tripped: ${group} ${kind === 'perAddress' ? 'from address' : 'for identity'} ${key}`,
        details,
      );
    }
    throw new HelmlinkError('ERR_RATE_LIMITED', undefined, { details: { retryAfter: verdict.retryAfter } });
  }

  // --- tokens -------------------------------------------------------------------------------------------------------

  /** Creates a one-time enrollment token; only its hash is stored. Returns the token (shown once). */
  createEnrollmentToken(
    req: TokenRequest,
    actor: Actor = { id: 'cli' },
  ): { token: string; expiresAt: string; entityId: string; roles: Role[] } {
    const entityId = assertEntityId(req.entityId);
    const roles = assertRoles(req.roles);
    if (roles.includes('ca'))
      throw new HelmlinkError('ERR_INPUT_INVALID', 'the ca role is not enrolled with tokens');
    assertMaritime(req);
    const ttl = req.ttlSeconds ?? this.tokenTtl;
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_TOKEN_TTL)
      throw new HelmlinkError('ERR_INPUT_INVALID', `token lifetime must be 60..${MAX_TOKEN_TTL} s`);
    const validityDays = req.validityDays ?? defaultValidityDays(roles);
    if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
      throw new HelmlinkError(
        'ERR_INPUT_INVALID',
        `certificate validity must be 1..${MAX_VALIDITY_DAYS} days`,
      );
    }
    const token = `hlt_${randomBytes(32).toString('base64url')}`;
    const now = this.clock();
    const expiresAt = now + ttl * 1000;
    this.store.transaction(() => {
      this.store.insertToken({
        hash: hashToken(token),
        entityId,
        roles,
        imo: req.imo ?? null,
        mmsi: req.mmsi ?? null,
        flag: req.flag ?? null,
        validityDays,
        expiresAt,
        createdAt: now,
        createdBy: actor.id,
        usedAt: null,
        usedSerial: null,
      });
      this.store.appendAudit({
        ts: now,
        actor: actor.id,
        action: 'token.create',
        details: { entityId, roles, expiresAt, tokenHash: hashToken(token).slice(0, 16) },
      });
    });
    return { token, expiresAt: new Date(expiresAt).toISOString(), entityId, roles };
  }

  // --- enrollment and renewal ---------------------------------------------------------------------------------------

  /** Enrolls a CSR with a one-time token. */
  async enroll(
    req: { csr: string; token: string },
    ctx: { address?: string } = {},
  ): Promise<IssuedCertificate> {
    const address = ctx.address ?? 'local';
    this.checkRate('enroll', 'perAddress', address);
    const now = new Date(this.clock());
    const tokenHash = hashToken(String(req.token));
    const token = this.store.getToken(tokenHash);
    const refuse = (
      code: ErrorCode,
      alert: Parameters<AlertSink['raise']>[0] | undefined,
      message: string,
      details: Record<string, unknown> = {},
    ): never => {
      const d = { address, ...details, code };
      this.audit(address, 'enroll.refused', d);
      if (alert) this.alerts.raise(alert, alert === 'token_reuse' ? 'critical' : 'warning', message, d);
      throw new HelmlinkError(code);
    };
    if (!token)
      return refuse(
        'ERR_ENROLL_TOKEN_UNKNOWN',
        'token_unknown',
        `enrollment with an unknown token from ${address}`,
      );
    if (token.usedAt !== null) {
      return refuse(
        'ERR_ENROLL_TOKEN_USED',
        'token_reuse',
        `enrollment token for ${token.entityId} used again from ${address}`,
        { entityId: token.entityId, usedSerial: token.usedSerial },
      );
    }
    if (token.expiresAt <= now.getTime())
      return refuse(
        'ERR_ENROLL_TOKEN_EXPIRED',
        'token_expired',
        `expired enrollment token for ${token.entityId} from ${address}`,
        { entityId: token.entityId },
      );
    this.checkRate('enroll', 'perIdentity', token.entityId);
    const identity: EntityIdentity = {
      entityId: token.entityId,
      roles: token.roles,
      ...(token.imo ? { imo: token.imo } : {}),
      ...(token.mmsi ? { mmsi: token.mmsi } : {}),
      ...(token.flag ? { flag: token.flag } : {}),
    };
    const checked = await this.checkCsrAlerting(req.csr, identity, address);
    const { pem, record } = await issueRecord({
      identity,
      publicKey: checked.spki,
      issuer: this.issuing,
      now,
      validityDays: token.validityDays,
      organization: this.config.organization,
    });
    await this.commit(() => {
      if (!this.store.consumeToken(tokenHash, now.getTime(), record.serial))
        throw new HelmlinkError('ERR_ENROLL_TOKEN_USED');
      this.store.insertCertificate(record);
      this.store.appendAudit({
        ts: now.getTime(),
        actor: address,
        action: 'certificate.issue',
        details: {
          serial: record.serial,
          entityId: record.entityId,
          roles: record.roles,
          keySpec: checked.keySpec,
          via: 'enroll',
        },
      });
    });
    return this.issued(record, pem);
  }

  /**
   * Renews the certificate of an authenticated client (see {@link authenticateClient}). With a CSR the key is
   * replaced (same subject); without, the same public key is certified again.
   */
  async renew(
    client: CertRecord,
    req: { csr?: string | undefined },
    ctx: { address?: string } = {},
  ): Promise<IssuedCertificate> {
    const address = ctx.address ?? 'local';
    this.checkRate('renew', 'perIdentity', client.entityId);
    const now = new Date(this.clock());
    const old = new x509.X509Certificate(client.der.slice().buffer as ArrayBuffer);
    const identity = { ...readIdentity(old), roles: client.roles };
    delete identity.organization;
    const publicKey = req.csr
      ? (await this.checkCsrAlerting(req.csr, identity, address)).spki
      : new Uint8Array(old.publicKey.rawData);
    const validityDays = Math.max(1, Math.round((client.notAfter - client.notBefore) / DAY_MS));
    const { pem, record } = await issueRecord({
      identity,
      publicKey,
      issuer: this.issuing,
      now,
      validityDays,
      organization: this.config.organization,
      renewedFrom: client.serial,
    });
    await this.commit(() => {
      this.store.insertCertificate(record);
      this.store.appendAudit({
        ts: now.getTime(),
        actor: client.entityId,
        action: 'certificate.renew',
        details: {
          serial: record.serial,
          renewedFrom: client.serial,
          entityId: record.entityId,
          rekey: Boolean(req.csr),
          address,
        },
      });
    });
    return this.issued(record, pem);
  }

  private issued(record: CertRecord, certificatePem: string): IssuedCertificate {
    for (const listener of this.issueListeners) {
      try {
        listener(record);
      } catch {
        // A listener never fails an issuance that is already committed.
      }
    }
    return {
      serial: record.serial,
      certificatePem,
      chainPem: `${certificatePem}${this.pems().issuing}`,
      rootPem: this.rootPem(),
      notAfter: new Date(record.notAfter).toISOString(),
    };
  }

  private async checkCsrAlerting(csr: string, identity: EntityIdentity, address: string) {
    try {
      return await checkCsr(csr, identity);
    } catch (err) {
      if (isHelmlinkError(err)) {
        const d = { address, entityId: identity.entityId, code: err.code, message: err.message };
        this.audit(address, 'csr.refused', d);
        if (err.code === 'ERR_CSR_SIGNATURE')
          this.alerts.raise(
            'csr_signature_invalid',
            'warning',
            `CSR with an invalid signature for ${identity.entityId} from ${address}`,
            d,
          );
        if (
          err.code === 'ERR_KEY_WEAK' ||
          err.code === 'ERR_KEY_UNSUPPORTED' ||
          err.code === 'ERR_SIG_ALG_WEAK'
        ) {
          this.alerts.raise(
            'weak_key',
            'warning',
            `CSR with a refused key or algorithm for ${identity.entityId} from ${address}: ${err.message}`,
            d,
          );
        }
        if (err.code === 'ERR_CSR_SUBJECT_MISMATCH')
          this.alerts.raise(
            'subject_mismatch',
            'warning',
            `CSR subject mismatch for ${identity.entityId} from ${address}`,
            d,
          );
      }
      throw err;
    }
  }

  // --- client authentication ---------------------------------------------------------------------------------------

  /**
   * Authenticates a client certificate (DER, from the TLS peer): an RFC 5280 path to this CA's root (signatures,
   * validity, constraints, clientAuth EKU), a record in the store with the same fingerprint, and status valid in the
   * store — the source the CRL is built from, so revocation takes effect here at once. `role` additionally
   * requires that role. Throws ERR_CLIENT_CERT_INVALID (details.reason = the underlying code) or ERR_FORBIDDEN.
   */
  async authenticateClient(der: Uint8Array, role?: Role): Promise<CertRecord> {
    let cert: x509.X509Certificate;
    try {
      cert = new x509.X509Certificate(der.slice().buffer as ArrayBuffer);
    } catch (cause) {
      throw new HelmlinkError('ERR_CLIENT_CERT_INVALID', 'the client certificate cannot be parsed', {
        cause,
        details: { reason: 'ERR_CERT_MALFORMED' },
      });
    }
    const refuse = (reason: string, message: string, cause?: unknown): never => {
      this.alerts.raise(
        'client_certificate_refused',
        'warning',
        `client certificate ${cert.serialNumber.toLowerCase()} refused: ${message}`,
        { reason, subject: cert.subject },
      );
      throw new HelmlinkError('ERR_CLIENT_CERT_INVALID', message, { cause, details: { reason } });
    };
    try {
      await validatePath(cert, {
        trustAnchors: [this.root],
        intermediates: [this.issuing.certificate],
        time: new Date(this.clock()),
        purpose: 'clientAuth',
        // Revocation is checked against the store below (the CRL is derived from it).
        revocation: { mode: 'off' },
      });
    } catch (err) {
      if (isHelmlinkError(err)) refuse(err.code, err.message, err);
      throw err;
    }
    const record = this.store.getCertificate(cert.serialNumber.toLowerCase());
    const fp = createHash('sha256').update(der).digest('hex');
    if (!record || record.fingerprint !== fp)
      refuse('ERR_CERT_NOT_FOUND', 'the certificate was not issued by this CA');
    if (record!.status !== 'valid')
      refuse('ERR_CHAIN_REVOKED', `the certificate is ${record!.status === 'hold' ? 'on hold' : 'revoked'}`);
    if (role && !record!.roles.includes(role))
      throw new HelmlinkError('ERR_FORBIDDEN', `this endpoint needs the ${role} role`);
    return record!;
  }

  // --- revocation --------------------------------------------------------------------------------------------------

  /** Revokes a certificate with an RFC 5280 reason (0-6, 9, 10), re-issues the CRL and alerts. */
  async revoke(
    req: { serial: string; reason: number; description?: string | undefined },
    actor: Actor,
  ): Promise<{ certificate: CertRecord; crlNumber: number }> {
    this.checkRate('revoke', 'perIdentity', actor.id);
    const serial = normalizeSerial(req.serial);
    if (!Number.isInteger(req.reason) || !ALLOWED_REASONS.has(req.reason))
      throw new HelmlinkError('ERR_REVOCATION_REASON_INVALID');
    const description = req.description ?? null;
    const now = this.clock();
    const status: CertStatus = req.reason === REVOCATION_REASONS.certificateHold ? 'hold' : 'revoked';
    const record = this.store.transaction(() => {
      const cert = this.store.getCertificate(serial);
      if (!cert) throw new HelmlinkError('ERR_CERT_NOT_FOUND');
      if (cert.status === 'revoked' || (cert.status === 'hold' && status === 'hold'))
        throw new HelmlinkError('ERR_CERT_ALREADY_REVOKED');
      // A hold may become a permanent revocation; its revocation time stays the time of the hold.
      const revokedAt = cert.status === 'hold' && cert.revokedAt !== null ? cert.revokedAt : now;
      this.store.setStatus(serial, status, revokedAt, req.reason, description);
      this.store.appendAudit({
        ts: now,
        actor: actor.id,
        action: 'certificate.revoke',
        details: {
          serial,
          entityId: cert.entityId,
          reason: req.reason,
          reasonName: reasonName(req.reason),
          description,
          address: actor.address,
        },
      });
      return { ...cert, status, revokedAt, reason: req.reason, description };
    });
    this.alerts.raise(
      'revocation',
      'critical',
      `certificate ${serial} of ${record.entityId} ${status === 'hold' ? 'put on hold' : 'revoked'} (${reasonName(req.reason)}) by ${actor.id}`,
      {
        serial,
        entityId: record.entityId,
        reason: req.reason,
        description,
      },
    );
    const crl = await this.reissueCrl();
    return { certificate: record, crlNumber: crl.number };
  }

  /** Releases a certificate from certificateHold (RFC 5280 removeFromCRL); anything else is refused. */
  async release(
    req: { serial: string },
    actor: Actor,
  ): Promise<{ certificate: CertRecord; crlNumber: number }> {
    const serial = normalizeSerial(req.serial);
    const now = this.clock();
    const record = this.store.transaction(() => {
      const cert = this.store.getCertificate(serial);
      if (!cert) throw new HelmlinkError('ERR_CERT_NOT_FOUND');
      if (cert.status !== 'hold') throw new HelmlinkError('ERR_CERT_NOT_ON_HOLD');
      this.store.setStatus(serial, 'valid', null, null, null);
      this.store.appendAudit({
        ts: now,
        actor: actor.id,
        action: 'certificate.release',
        details: { serial, entityId: cert.entityId, address: actor.address },
      });
      return { ...cert, status: 'valid' as const, revokedAt: null, reason: null, description: null };
    });
    const crl = await this.reissueCrl();
    return { certificate: record, crlNumber: crl.number };
  }

  // --- CRL ------------------------------------------------------------------------------------------------------

  /** The current CRL, re-issued first when it is within the refresh margin of its nextUpdate. */
  async currentCrl(): Promise<IssuedCrl> {
    await this.ensureFreshCrl();
    return this.crl!;
  }

  /** Takes over the CRL file written by a previous run (when it parses); ensureFreshCrl decides whether it is current. */
  adoptCrl(pem: string): void {
    // A large CRL is cheaper to re-issue than to parse.
    if (pem.length > 1_000_000) return;
    try {
      const crl = parseCrls(pem)[0]!;
      const number = crlNumberOf(crl);
      // A CRL outliving the configured lifetime (the configuration changed) is replaced at once.
      if (
        number === undefined ||
        !crl.nextUpdate ||
        crl.nextUpdate.getTime() - this.clock() > this.crlValidity * 1000
      )
        return;
      this.crl = issuedCrl(
        new Uint8Array(crl.rawData),
        pem,
        number,
        crl.thisUpdate,
        crl.nextUpdate,
        crl.entries.length,
      );
    } catch {
      // An unreadable file is replaced by the next issuance.
    }
  }

  /** Re-issues the CRL when there is none in memory or it is close to nextUpdate. */
  async ensureFreshCrl(): Promise<void> {
    const now = this.clock();
    if (this.crl && this.crl.nextUpdate.getTime() - now > this.crlMargin * 1000) return;
    await this.reissueCrl();
  }

  /** Issues a new CRL now (serialised: CRL numbers and files stay in order), notifies listeners. */
  reissueCrl(): Promise<IssuedCrl> {
    const run = this.crlChain.then(async () => {
      const crl = await issueCrlFile({
        store: this.store,
        issuer: this.issuing,
        dir: this.paths.dir,
        now: new Date(this.clock()),
        validitySeconds: this.crlValidity,
      });
      this.crl = crl;
      this.audit('ca', 'crl.issue', {
        number: crl.number,
        entries: crl.entries,
        nextUpdate: crl.nextUpdate.toISOString(),
      });
      for (const listener of this.crlListeners) {
        try {
          await listener(crl);
        } catch {
          // Listeners report their own failures (e.g. an alert for a failed MQTT publish).
        }
      }
      return crl;
    });
    this.crlChain = run.catch(() => undefined);
    return run;
  }

  /** Re-issues the root's CRL for the issuing CA when the root key is present. */
  async reissueRootCrl(): Promise<IssuedCrl | undefined> {
    if (!this.rootKey) return undefined;
    return issueRootCrlFile({
      store: this.store,
      root: { certificate: this.root, privateKey: this.rootKey },
      dir: this.paths.dir,
      now: new Date(this.clock()),
      validitySeconds: ROOT_CRL_VALIDITY_SECONDS,
    });
  }

  /**
   * Re-issues the root's CRL (root-crl.pem) when the root key is here and the current one expires within
   * `minRemainingSeconds` (default: half its lifetime, 90 days) or cannot be read.
   */
  async refreshRootCrlIfDue(minRemainingSeconds = ROOT_CRL_VALIDITY_SECONDS / 2): Promise<boolean> {
    if (!this.rootKey) return false;
    try {
      const current = parseCrls(await readFile(this.paths.rootCrl, 'utf8'))[0]!;
      if (
        current.nextUpdate &&
        current.nextUpdate.getTime() - this.clock() > minRemainingSeconds * 1000
      )
        return false;
    } catch {
      // Missing or unreadable: issue a new one.
    }
    await this.reissueRootCrl();
    return true;
  }

  /** Calls `listener` after every committed issuance (enroll, renew). Returns an unsubscribe function. */
  onIssued(listener: (record: CertRecord) => void): () => void {
    this.issueListeners.add(listener);
    return () => this.issueListeners.delete(listener);
  }

  /** Calls `listener` after every CRL issuance. Returns an unsubscribe function. */
  onCrl(listener: (crl: IssuedCrl) => void | Promise<void>): () => void {
    this.crlListeners.add(listener);
    return () => this.crlListeners.delete(listener);
  }

  /** Keeps the CRL current in the background (re-issued before nextUpdate). */
  startCrlTimer(): void {
    this.stopCrlTimer();
    const schedule = (): void => {
      const remaining =
        (this.crl?.nextUpdate.getTime() ?? 0) - this.clock() - this.crlMargin * 1000;
      this.crlTimer = setTimeout(
        () => {
          Promise.all([this.ensureFreshCrl(), this.refreshRootCrlIfDue()])
            .catch(() => undefined)
            .finally(schedule);
        },
        Math.max(1000, Math.min(remaining + 1000, 2 ** 31 - 1)),
      );
      this.crlTimer.unref();
    };
    schedule();
  }

  stopCrlTimer(): void {
    if (this.crlTimer) clearTimeout(this.crlTimer);
    this.crlTimer = undefined;
  }

  // --- queries -------------------------------------------------------------------------------------------------

  getCertificate(serial: string): CertRecord {
    const record = this.store.getCertificate(normalizeSerial(serial));
    if (!record) throw new HelmlinkError('ERR_CERT_NOT_FOUND');
    return record;
  }

  listCertificates(q: {
    role?: Role;
    status?: CertStatus;
    expiringWithinSeconds?: number;
    limit?: number;
  }): CertRecord[] {
    const now = this.clock();
    return this.store.listCertificates({
      ...(q.role ? { role: q.role } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.expiringWithinSeconds !== undefined
        ? { expiringBefore: now + q.expiringWithinSeconds * 1000, now }
        : {}),
      ...(q.limit ? { limit: q.limit } : {}),
    });
  }

  listAlerts(sinceId?: number, limit?: number): AlertRecord[] {
    return this.store.listAlerts(sinceId, limit);
  }

  /** Appends to the hash-chained audit log. */
  audit(actor: string, action: string, details: Record<string, unknown>): void {
    this.store.transaction(() =>
      this.store.appendAudit({ ts: this.clock(), actor, action, details }),
    );
  }

  /** Stops timers, waits for pending CRL work and alert deliveries, closes the store. */
  async close(): Promise<void> {
    this.stopCrlTimer();
    await this.crlChain;
    await this.alerts.flush();
    this.store.close();
  }
}
