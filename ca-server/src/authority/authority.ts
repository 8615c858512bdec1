/**
 * The authority: everything the CA does, with no HTTP. Route handlers (http/) and CLIs call this facade; each
 * operation lives in its own file (enroll, renew, tokens, revocation, client-auth, queries, crl-schedule) and
 * receives the facade as its {@link AuthorityContext}. Refusals are HelmlinkErrors with stable codes. A certificate
 * is committed to the store (with its audit entry and the token it consumed) before it is returned.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type * as x509 from '@peculiar/x509';
import {
  HelmlinkError,
  certificateFingerprint,
  certificatesToPem,
  certificateToPem,
  parseCertificate,
  systemClock,
  type Clock,
  type IssuerMaterial,
  type Role,
} from '@helmlink/protocol';
import type { TokenResponse } from '@helmlink/ca-client/wire';
import { SqliteStore } from '../store/sqlite';
import type { AlertRecord, CaStore, CertRecord } from '../store/types';
import { AlertSink } from './alerts';
import { authenticateClient } from './client-auth';
import { GroupCommit } from './commit';
import type { AuthorityContext } from './context';
import type { IssuedCrl } from './crl';
import { CrlSchedule } from './crl-schedule';
import { enroll } from './enroll';
import { caPaths, type CaConfig, type CaPaths } from './files';
import { readCaConfig } from './init';
import { readKey } from './keys';
import { getCertificate, listAlerts, listCertificates, type CertificateFilter } from './queries';
import { FailureLog } from './failures';
import { mergeRateLimits, RateLimiter, type RateGroup, type RateKind } from './rate-limit';
import { renew } from './renew';
import { release, revoke, type RevokeRequest, type StatusChange } from './revocation';
import { rotateServiceIdentity, serviceSerialOf } from './service-identity';
import { signCheckpoint, writeCheckpointFile, type AuditCheckpoint } from './checkpoint';
import { createToken, MAX_TOKEN_TTL } from './tokens';
import type { Actor, AuthorityOptions, IssuedCertificate, RequestContext, TokenRequest } from './types';

export type { Actor, AuthorityOptions, IssuedCertificate, TokenRequest } from './types';
export { hashToken } from './tokens';
export { normalizeSerial, type RevokeRequest } from './revocation';

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
    new SqliteStore(paths.db, {
      alertRetention: opts.alertRetention,
      ...(opts.fdatasync ? { fdatasync: opts.fdatasync } : {}),
    }),
    root,
    { certificate: issuingCert, privateKey: issuingKey },
    rootKey,
  );
  if (existsSync(paths.crl)) authority.adoptCrl(await readFile(paths.crl, 'utf8'));
  await authority.ensureFreshCrl();
  return authority;
}

/** The CA core. Create with {@link loadAuthority}. */
export class Authority implements AuthorityContext {
  readonly store: CaStore;
  readonly config: CaConfig;
  readonly paths: CaPaths;
  readonly root: x509.X509Certificate;
  readonly issuing: IssuerMaterial;
  readonly alerts: AlertSink;
  readonly clock: Clock;
  readonly crls: CrlSchedule;
  readonly failures: FailureLog;
  readonly issueListeners = new Set<(record: CertRecord) => void>();
  private readonly serviceListeners = new Set<(record: CertRecord) => void | Promise<void>>();
  private readonly passphrase: string;
  private readonly limiter: RateLimiter;
  private readonly commits: GroupCommit;
  private readonly tokenTtl: number;
  private rootFingerprintCache: string | undefined;
  private readonly checkpointSeconds: number;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private lastCheckpointSeq = 0;
  private pemCache: { chain: string; root: string; issuing: string } | undefined;

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
    this.passphrase = opts.passphrase;
    this.clock = opts.clock ?? systemClock;
    this.alerts = new AlertSink(store, this.clock, opts.alertWebhook);
    const limits = mergeRateLimits(opts.rateLimits);
    this.limiter = new RateLimiter(limits, this.clock);
    this.failures = new FailureLog({
      limiter: this.limiter,
      alerts: this.alerts,
      audit: (actor, action, details) => this.audit(actor, action, details),
      clock: this.clock,
      windowMs: limits.failures.perAddress.windowMs,
    });
    this.commits = new GroupCommit(store);
    this.tokenTtl = Math.min(opts.tokenTtlSeconds ?? 86_400, MAX_TOKEN_TTL);
    const validitySeconds = opts.crlValiditySeconds ?? 86_400;
    this.crls = new CrlSchedule({
      store,
      issuing,
      root,
      rootKey,
      paths,
      clock: this.clock,
      audit: (actor, action, details) => this.audit(actor, action, details),
      validitySeconds,
      refreshMarginSeconds:
        opts.crlMode === 'follow' ? 0 : (opts.crlRefreshMarginSeconds ?? Math.floor(validitySeconds / 2)),
      follow: opts.crlMode === 'follow',
      onCheckpoint: (cp) => this.publishCheckpoint(cp),
    });
    this.checkpointSeconds = opts.auditCheckpointSeconds ?? 3600;
  }

  /** Group commit (see {@link GroupCommit.run}): resolves after the durable COMMIT of `fn`. */
  commit<T>(fn: () => T): Promise<T> {
    return this.commits.run(fn);
  }

  /** Appends to the hash-chained audit log. */
  audit(actor: string, action: string, details: Record<string, unknown>): void {
    this.store.transaction(() => this.store.appendAudit({ ts: this.clock(), actor, action, details }));
  }

  /** Counts a request; throws ERR_RATE_LIMITED (details.retryAfter seconds) over the limit. The first trip is audited and alerted. */
  checkRate(group: RateGroup, kind: RateKind, key: string): void {
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

  // --- CA material ------------------------------------------------------------------------------------------------

  /** SHA-256 fingerprint of the root certificate (lowercase hex). */
  async rootFingerprint(): Promise<string> {
    this.rootFingerprintCache ??= await certificateFingerprint(this.root);
    return this.rootFingerprintCache;
  }

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

  /** PEM of the root certificate. */
  rootPem(): string {
    return this.pems().root;
  }

  /** PEM of the issuing CA certificate. */
  issuingPem(): string {
    return this.pems().issuing;
  }

  /** The CA service identity's TLS material (its key stays encrypted; the passphrase opens it). */
  async serviceTls(): Promise<{ key: string; cert: string; passphrase: string }> {
    const [key, cert] = await Promise.all([
      readFile(this.paths.serverKey, 'utf8'),
      readFile(this.paths.serverCert, 'utf8'),
    ]);
    return { key, cert, passphrase: this.passphrase };
  }

  // --- operations (one file each) ---------------------------------------------------------------------------------

  /** Creates a one-time enrollment token; only its hash is stored. Returns the token (shown once). See tokens.ts. */
  createEnrollmentToken(req: TokenRequest, actor: Actor = { id: 'cli' }): TokenResponse {
    return createToken(this, req, actor, this.tokenTtl);
  }

  /** Enrolls a CSR with a one-time token. See enroll.ts. */
  enroll(req: { csr: string; token: string }, ctx: RequestContext = {}): Promise<IssuedCertificate> {
    return enroll(this, req, ctx);
  }

  /** Renews the certificate of an authenticated client, with a new key when a CSR is given. See renew.ts. */
  renew(
    client: CertRecord,
    req: { csr?: string | undefined },
    ctx: RequestContext = {},
  ): Promise<IssuedCertificate> {
    return renew(this, client, req, ctx);
  }

  /**
   * Authenticates an mTLS client certificate (DER), optionally requiring a role; a refusal counts as a failure of
   * `address`. See client-auth.ts.
   */
  authenticateClient(der: Uint8Array, role?: Role, address = 'local'): Promise<CertRecord> {
    return authenticateClient(this, der, role, address);
  }

  /**
   * Revokes a certificate (and its renewals) with an RFC 5280 reason, re-issues the CRL and alerts; guarded
   * certificates need `force` and a replacement plan. See revocation.ts and infrastructure.ts.
   */
  revoke(req: RevokeRequest, actor: Actor): Promise<StatusChange> {
    return revoke(this, req, actor);
  }

  // --- the CA's own service identity (service-identity.ts) ------------------------------------------------------

  /**
   * Issues a new service identity (new key; server.key.pem and server.crt.pem rewritten, the old certificate
   * superseded), alerts, re-issues the CRL and calls the service-identity listeners (the server loads it).
   */
  async rotateServiceIdentity(actor: Actor, why = 'forced revocation'): Promise<CertRecord> {
    const record = await rotateServiceIdentity(this, this.passphrase, actor, why);
    this.alerts.raise(
      'service_identity',
      'warning',
      `the CA service identity was replaced (${why}); new certificate ${record.serial}`,
      { serial: record.serial, why },
    );
    await this.crls.reissue();
    for (const listener of this.serviceListeners) await listener(record);
    return record;
  }

  /**
   * The serial of the service certificate on disk when it is valid in the store; otherwise (revoked, on hold,
   * expired, unknown) a fresh service identity is issued first. Never serve with a revoked certificate.
   */
  async ensureServiceIdentity(): Promise<string> {
    const serial = serviceSerialOf(await readFile(this.paths.serverCert, 'utf8'));
    const record = this.store.getCertificate(serial);
    if (record && record.status === 'valid' && record.notAfter > this.clock()) return serial;
    const why = record
      ? `its certificate ${serial} is ${record.status === 'valid' ? 'expired' : record.status}`
      : `its certificate ${serial} is unknown to the store`;
    return (await this.rotateServiceIdentity({ id: 'ca' }, why)).serial;
  }

  /** Calls the service-identity listeners with the (valid) service certificate on disk, so the server loads it. */
  async loadServiceIdentity(): Promise<void> {
    const record = this.getCertificate(serviceSerialOf(await readFile(this.paths.serverCert, 'utf8')));
    for (const listener of this.serviceListeners) await listener(record);
  }

  /** Calls `listener` after the service identity was replaced. Returns an unsubscribe function. */
  onServiceIdentity(listener: (record: CertRecord) => void | Promise<void>): () => void {
    this.serviceListeners.add(listener);
    return () => this.serviceListeners.delete(listener);
  }

  /** Releases a certificate from certificateHold. See revocation.ts. */
  release(req: { serial: string }, actor: Actor): Promise<StatusChange> {
    return release(this, req, actor);
  }

  /** Calls `listener` after every committed issuance (enroll, renew). Returns an unsubscribe function. */
  onIssued(listener: (record: CertRecord) => void): () => void {
    this.issueListeners.add(listener);
    return () => this.issueListeners.delete(listener);
  }

  // --- CRL (crl-schedule.ts) --------------------------------------------------------------------------------------

  /** The current CRL, re-issued first when it is within the refresh margin of its nextUpdate. */
  currentCrl(): Promise<IssuedCrl> {
    return this.crls.current();
  }

  /** Takes over the CRL file written by a previous run (when it parses). */
  adoptCrl(pem: string): void {
    this.crls.adopt(pem);
  }

  /** Re-issues the CRL when there is none in memory or it is close to nextUpdate. */
  ensureFreshCrl(): Promise<void> {
    return this.crls.ensureFresh();
  }

  /** Issues a new CRL now (serialised), notifies listeners. */
  reissueCrl(): Promise<IssuedCrl> {
    return this.crls.reissue();
  }

  /** Re-issues the root's CRL for the issuing CA when the root key is present. */
  reissueRootCrl(): Promise<IssuedCrl | undefined> {
    return this.crls.reissueRoot();
  }

  /** Re-issues root-crl.pem when the root key is here and the current one expires within `minRemainingSeconds`. */
  refreshRootCrlIfDue(minRemainingSeconds?: number): Promise<boolean> {
    return this.crls.refreshRootIfDue(minRemainingSeconds);
  }

  /** Calls `listener` after every CRL issuance. Returns an unsubscribe function. */
  onCrl(listener: (crl: IssuedCrl) => void | Promise<void>): () => void {
    return this.crls.onCrl(listener);
  }

  /** Keeps the CRL current in the background (re-issued before nextUpdate) and signs periodic audit checkpoints. */
  startCrlTimer(): void {
    this.crls.start();
    this.checkpointTimer ??= setInterval(() => void this.checkpoint(), this.checkpointSeconds * 1000);
    this.checkpointTimer.unref();
  }

  stopCrlTimer(): void {
    this.crls.stop();
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.checkpointTimer = undefined;
  }

  // --- audit checkpoints (checkpoint.ts) ------------------------------------------------------------------------

  /** Signs and publishes a checkpoint of the audit log's head when it moved since the last one. */
  async checkpoint(): Promise<AuditCheckpoint | undefined> {
    const head = this.store.lastAudit();
    if (!head || head.seq <= this.lastCheckpointSeq) return undefined;
    const cp = await signCheckpoint(this.store, this.issuing, this.clock());
    if (cp) this.publishCheckpoint(cp);
    return cp;
  }

  /** Publishes a checkpoint outside the database: the checkpoint file and an alert (the webhook). */
  private publishCheckpoint(cp: AuditCheckpoint): void {
    this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq, cp.seq);
    writeCheckpointFile(this.paths.auditCheckpoint, cp);
    this.alerts.raise('audit_checkpoint', 'info', `audit checkpoint: entry ${cp.seq}, head ${cp.head}`, {
      checkpoint: cp,
    });
  }

  // --- queries (queries.ts) ---------------------------------------------------------------------------------------

  getCertificate(serial: string): CertRecord {
    return getCertificate(this, serial);
  }

  listCertificates(q: CertificateFilter): CertRecord[] {
    return listCertificates(this, q);
  }

  listAlerts(sinceId?: number, limit?: number): AlertRecord[] {
    return listAlerts(this, sinceId, limit);
  }

  /** Stops timers, waits for pending CRL work and alert deliveries, closes the store. */
  async close(): Promise<void> {
    this.stopCrlTimer();
    await this.crls.settled();
    this.failures.closeWindows(true);
    await this.alerts.flush();
    this.store.close();
  }
}
