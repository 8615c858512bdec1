/**
 * Identity and key custody of the console: first-run enrollment (key generated here, CSR, token enrollment at the
 * CA pinned by its root fingerprint), import of an existing identity (PKCS#12 or encrypted PEM + chain), unlock
 * with the passphrase, renewal over mutual TLS at 2/3 of the lifetime, removal.
 *
 * The private key never leaves this service except as the signing CryptoKey and the TLS key handed to the
 * command channel and the CA client inside the main process. Status views carry public data only.
 */
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type * as x509 from '@peculiar/x509';
import {
  HelmlinkError,
  createProfileCsr,
  certificatesToPem,
  exportPkcs8,
  generateKeyPair,
  importPrivateKey,
  jwsAlgForSpec,
  pkcs8KeySpec,
  DEFAULT_KEY_SPEC,
  renewalDueAt,
  type JwsAlgorithm,
  type KeySpec,
  type Clock,
} from '@helmlink/protocol';
import {
  ENROLL_STEPS,
  type ApiErrorInfo,
  type CustodyOptions,
  type EnrollStepId,
  type IdentityStatus,
  type RenewalView,
  type enrollRequestSchema,
  type importRequestSchema,
} from '@helmlink/app-preload';
import type { z } from 'zod';
import type { ConsoleEvents } from '../core/events';
import { toApiError } from '../core/errors';
import type { Logger } from '../core/logger';
import { certificatesFromBody, consoleCaClient, fetchPinnedRoot, type ClientTls } from '../ca/console-ca';
import type { Keychain } from '../vault/keychain';
import {
  destroySealedKey,
  needsPassphrase,
  openWithDataKey,
  recoverDataKey,
  resealKey,
  sealKey,
  type ScryptParams,
  type SealedKeyFile,
} from '../vault/sealed-key';
import type { SettingsService } from '../settings/settings-service';
import { checkOwnChain } from './chain-check';
import { certificateView, fingerprintOf, profileOf } from './certificate-view';
import { readIdentityFiles, removeIdentityFiles, writeIdentityFiles, type IdentityFiles } from './files';
import { decryptEncryptedPkcs8, parsePkcs12 } from './pkcs12';
import { decodePem, normalizeFingerprint, parseCertificates } from '@helmlink/protocol';

export type EnrollRequest = z.output<typeof enrollRequestSchema>;
export type ImportRequest = z.output<typeof importRequestSchema>;

/** What the command channel and the CA clients get to sign and authenticate with. */
export interface ConsoleSigner {
  entityId: string;
  roles: string[];
  alg: JwsAlgorithm;
  /** Signing key for JWS (RSA keys imported for PS256). */
  privateKey: CryptoKey;
  /** Leaf first, then intermediates (what goes into x5c). */
  chain: x509.X509Certificate[];
  root: x509.X509Certificate;
  /** PEM key and certificate chain for mutual TLS (main process memory only). */
  tls(): ClientTls;
}

/** Hook called after each audited identity operation. */
export type IdentityAuditHook = (
  kind: 'identity.enrolled' | 'identity.imported' | 'identity.renewed' | 'identity.removed',
  entityId: string,
) => void;

export interface IdentityServiceOptions {
  dataDir: string;
  /** The OS keychain; undefined when none is configured (then only passphrase custody works). */
  keychain?: Keychain;
  settings: SettingsService;
  events: ConsoleEvents;
  clock: Clock;
  logger: Logger;
  scrypt?: ScryptParams;
  caTimeoutMs?: number;
  audit?: IdentityAuditHook;
  /** Timers for automatic renewal (default: global setTimeout; tests call renewIfDue). */
  autoRenewTimers?: boolean;
}

const KEY_SPECS: Record<JwsAlgorithm, KeySpec> = {
  ES256: 'ecdsa-p256',
  ES384: 'ecdsa-p384',
  EdDSA: 'ed25519',
  PS256: 'rsa-3072',
};
const DAY = 86_400_000;

const spkiOfPkcs8 = (pkcs8: Uint8Array): Buffer =>
  createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({
    format: 'der',
    type: 'spki',
  });

const sameSpki = (cert: x509.X509Certificate, spki: Buffer): boolean =>
  Buffer.from(cert.publicKey.rawData).equals(spki);

interface OpenKey {
  dataKey: Buffer;
  keyObject: KeyObject;
  signingKey: CryptoKey;
}

/** The identity service. Call {@link IdentityService.init} once before use. */
export class IdentityService {
  readonly #o: IdentityServiceOptions;
  #files: IdentityFiles | null = null;
  #open: OpenKey | null = null;
  #error: ApiErrorInfo | null = null;
  #renewal: Omit<RenewalView, 'auto' | 'dueAt'> = {
    state: 'idle',
    lastAttemptAt: null,
    lastRenewedAt: null,
    lastError: null,
  };
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(options: IdentityServiceOptions) {
    this.#o = options;
  }

  /** Loads the stored identity and, for keychain custody without a passphrase, opens the key. */
  async init(): Promise<void> {
    this.#files = await readIdentityFiles(this.#o.dataDir);
    if (this.#files) {
      this.#renewal.lastRenewedAt = this.#files.meta.renewedAt;
      if (!needsPassphrase(this.#files.sealed)) {
        try {
          await this.#openKey(undefined);
        } catch (err) {
          this.#error = toApiError(err);
          this.#o.logger.warn({ code: this.#error.code }, 'stored identity cannot be opened');
        }
      }
    }
    this.#schedule();
  }

  /** Stops the renewal timer and forgets the open key. */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#open = null;
  }

  /** Which custody modes are possible here, with the reason when the keychain is not. */
  async custodyOptions(): Promise<CustodyOptions> {
    const keychain = this.#o.keychain
      ? await this.#o.keychain.availability()
      : { available: false, backend: null, reason: 'no OS keychain is configured for this console' };
    return { keychain, passphraseOnly: true };
  }

  /** The identity status (public data only). */
  status(): IdentityStatus {
    const f = this.#files;
    const settings = this.#o.settings.get();
    if (!f) {
      return {
        state: 'none',
        custody: null,
        passphraseRequired: false,
        unlocked: false,
        entityId: null,
        roles: [],
        isAdmin: false,
        certificate: null,
        chain: [],
        expiresAt: null,
        expiryWarning: 'none',
        renewal: { ...this.#renewal, auto: settings.autoRenew, dueAt: null },
        caUrl: settings.caUrl,
        rootFingerprint: settings.rootFingerprint,
        error: this.#error,
      };
    }
    const leaf = f.chain[0]!;
    const now = new Date(this.#o.clock());
    const { roles } = profileOf(leaf);
    const expired = now > leaf.notAfter;
    const left = leaf.notAfter.getTime() - now.getTime();
    const warnMs = settings.expiryWarningDays * DAY;
    const expiryWarning = expired
      ? 'expired'
      : left <= Math.min(2 * DAY, warnMs / 4)
        ? 'urgent'
        : left <= warnMs
          ? 'soon'
          : 'none';
    const passphraseRequired = needsPassphrase(f.sealed);
    const state = expired
      ? 'expired'
      : this.#open
        ? 'ready'
        : passphraseRequired
          ? 'locked'
          : this.#error
            ? 'unavailable'
            : 'ready';
    return {
      state,
      custody: f.sealed.custody,
      passphraseRequired,
      unlocked: this.#open !== null,
      entityId: f.meta.entityId,
      roles,
      isAdmin: roles.includes('admin'),
      certificate: certificateView(leaf),
      chain: [...f.chain.slice(1), f.root].map(certificateView),
      expiresAt: leaf.notAfter.toISOString(),
      expiryWarning,
      renewal: {
        ...this.#renewal,
        auto: settings.autoRenew,
        dueAt: this.renewalDueAt()?.toISOString() ?? null,
      },
      caUrl: f.meta.caUrl ?? settings.caUrl,
      rootFingerprint: f.meta.rootFingerprint,
      error: this.#error,
    };
  }

  /** The pinned root of the stored identity (trust anchor for broker, vessels and the CA). */
  root(): x509.X509Certificate | null {
    return this.#files?.root ?? null;
  }

  /** When the certificate is due for renewal (the shared rule: 2/3 of its lifetime). */
  renewalDueAt(): Date | null {
    const leaf = this.#files?.chain[0];
    return leaf ? new Date(renewalDueAt(leaf)) : null;
  }

  /**
   * The signer for commands and mutual TLS. ERR_IDENTITY_MISSING without an identity, ERR_CHAIN_EXPIRED when the
   * certificate expired, ERR_IDENTITY_LOCKED when the passphrase has not been entered.
   */
  async signer(): Promise<ConsoleSigner> {
    const f = this.#files;
    if (!f) throw new HelmlinkError('ERR_IDENTITY_MISSING');
    const leaf = f.chain[0]!;
    if (this.#o.clock() > leaf.notAfter.getTime())
      throw new HelmlinkError('ERR_CHAIN_EXPIRED', 'the console certificate has expired: enroll again');
    if (!this.#open) {
      if (needsPassphrase(f.sealed)) throw new HelmlinkError('ERR_IDENTITY_LOCKED');
      await this.#openKey(undefined);
    }
    const open = this.#open!;
    const { roles } = profileOf(leaf);
    const chain = f.chain;
    return {
      entityId: f.meta.entityId,
      roles,
      alg: jwsAlgForSpec(f.meta.keySpec),
      privateKey: open.signingKey,
      chain,
      root: f.root,
      tls: () => ({
        key: open.keyObject.export({ format: 'pem', type: 'pkcs8' }).toString(),
        cert: certificatesToPem(chain),
      }),
    };
  }

  /** Opens the key with the passphrase. ERR_KEY_DECRYPT for a wrong one. */
  async unlock(passphrase: string): Promise<IdentityStatus> {
    if (!this.#files) throw new HelmlinkError('ERR_IDENTITY_MISSING');
    await this.#openKey(passphrase);
    return this.#changed();
  }

  /** Forgets the opened key when a passphrase protects it (keychain-only custody stays usable). */
  lock(): IdentityStatus {
    if (this.#files && needsPassphrase(this.#files.sealed)) this.#open = null;
    return this.#changed();
  }

  /** Deletes the identity: keychain entry, files, open key. */
  async remove(): Promise<IdentityStatus> {
    const f = this.#files;
    if (f) {
      try {
        await destroySealedKey(f.sealed, this.#o.keychain);
      } catch (err) {
        this.#o.logger.warn({ code: toApiError(err).code }, 'keychain entry could not be deleted');
      }
      await removeIdentityFiles(this.#o.dataDir);
      this.#o.audit?.('identity.removed', f.meta.entityId);
    }
    this.#files = null;
    this.#open = null;
    this.#error = null;
    this.#renewal = { state: 'idle', lastAttemptAt: null, lastRenewedAt: null, lastError: null };
    this.#schedule();
    return this.#changed();
  }

  /** Runs the enrollment wizard, emitting `identity.enrollProgress` per step. */
  enroll(req: EnrollRequest): Promise<IdentityStatus> {
    return this.#exclusive(() => this.#enroll(req));
  }

  /** Imports an identity from PKCS#12 or encrypted PEM + chain. */
  import(req: ImportRequest): Promise<IdentityStatus> {
    return this.#exclusive(() => this.#import(req));
  }

  /** Renews now over mutual TLS with a new key (re-key). */
  renew(): Promise<IdentityStatus> {
    return this.#exclusive(() => this.#renew());
  }

  /** Renews when automatic renewal is on and 2/3 of the lifetime has passed. Returns whether it renewed. */
  async renewIfDue(): Promise<boolean> {
    const due = this.renewalDueAt();
    if (!due || !this.#o.settings.get().autoRenew || this.#o.clock() < due.getTime()) return false;
    if (!this.#open && this.#files && needsPassphrase(this.#files.sealed)) return false;
    try {
      await this.renew();
      return true;
    } catch {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  #exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#busy.then(op, op);
    this.#busy = run.catch(() => undefined);
    return run;
  }

  #changed(): IdentityStatus {
    const s = this.status();
    this.#o.events.emit('identity.changed', s);
    return s;
  }

  async #openKey(passphrase: string | undefined): Promise<void> {
    const f = this.#files!;
    const dataKey = await recoverDataKey(f.sealed, { passphrase, keychain: this.#o.keychain });
    const pkcs8 = openWithDataKey(f.sealed, dataKey);
    this.#open = await this.#materialise(pkcs8, dataKey, f.meta.keySpec, f.chain[0]!);
    this.#error = null;
  }

  async #materialise(
    pkcs8: Uint8Array,
    dataKey: Buffer,
    spec: KeySpec,
    leaf: x509.X509Certificate,
  ): Promise<OpenKey> {
    if (!sameSpki(leaf, spkiOfPkcs8(pkcs8)))
      throw new HelmlinkError('ERR_IDENTITY_INVALID', 'the private key does not belong to the certificate');
    const keyObject = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
    const signingKey = await importPrivateKey(pkcs8, spec.startsWith('rsa-') ? { rsaScheme: 'pss' } : {});
    return { dataKey, keyObject, signingKey };
  }

  async #assertCustody(custody: 'keychain' | 'passphrase'): Promise<void> {
    if (custody !== 'keychain') return;
    const { keychain } = await this.custodyOptions();
    if (!keychain.available) {
      throw new HelmlinkError(
        'ERR_KEYCHAIN_UNAVAILABLE',
        `the key cannot be stored in the OS keychain: ${keychain.reason ?? 'unavailable'}`,
      );
    }
  }

  async #enroll(req: EnrollRequest): Promise<IdentityStatus> {
    if (this.#files) throw new HelmlinkError('ERR_IDENTITY_EXISTS');
    const total = ENROLL_STEPS.length;
    let current: EnrollStepId = 'check-ca';
    const progress = (
      step: EnrollStepId,
      status: 'running' | 'done' | 'failed',
      error: ApiErrorInfo | null = null,
    ) => {
      current = step;
      this.#o.events.emit('identity.enrollProgress', {
        step,
        status,
        index: ENROLL_STEPS.findIndex((s) => s.id === step),
        total,
        at: new Date(this.#o.clock()).toISOString(),
        error,
      });
    };
    try {
      progress('check-ca', 'running');
      await this.#assertCustody(req.custody);
      const pin = normalizeFingerprint(req.rootFingerprint);
      const ca = consoleCaClient({ url: req.caUrl, pin, timeoutMs: this.#o.caTimeoutMs });
      const { root, chain: caChain } = await fetchPinnedRoot(ca);
      progress('check-ca', 'done');

      progress('generate-key', 'running');
      const spec = KEY_SPECS[req.keyAlgorithm ?? 'ES256'] ?? DEFAULT_KEY_SPEC;
      const keys = await generateKeyPair(spec, { extractable: true });
      const pkcs8 = await exportPkcs8(keys.privateKey);
      progress('generate-key', 'done');

      progress('create-csr', 'running');
      const csr = await createProfileCsr(req.entityId, keys);
      progress('create-csr', 'done');

      progress('request-certificate', 'running');
      const res = await ca.json<unknown>('POST', '/ca/v1/enroll', { csr, token: req.token });
      progress('request-certificate', 'done');

      progress('verify-certificate', 'running');
      const chain = await this.#acceptIssued(res, pkcs8, req.entityId, caChain, root);
      progress('verify-certificate', 'done');

      progress('store-identity', 'running');
      await this.#store({
        pkcs8,
        spec,
        chain,
        root,
        custody: req.custody,
        passphrase: req.passphrase,
        caUrl: req.caUrl,
        source: 'enrolled',
      });
      this.#o.settings.update({
        caUrl: req.caUrl,
        rootFingerprint: fingerprintOf(root),
        ...(req.brokerUrl ? { brokerUrl: req.brokerUrl } : {}),
      });
      progress('store-identity', 'done');
      this.#o.audit?.('identity.enrolled', req.entityId);
      this.#o.logger.info({ entityId: req.entityId, custody: req.custody }, 'identity enrolled');
      return this.#changed();
    } catch (err) {
      progress(current, 'failed', toApiError(err));
      throw err;
    }
  }

  /** Finds our certificate in a CA response and checks it: our key, our entity id, a chain to the pinned root. */
  async #acceptIssued(
    response: unknown,
    pkcs8: Uint8Array,
    entityId: string,
    caChain: readonly x509.X509Certificate[],
    root: x509.X509Certificate,
  ): Promise<x509.X509Certificate[]> {
    const issued = certificatesFromBody(Buffer.from(JSON.stringify(response)), 'application/json');
    const spki = spkiOfPkcs8(pkcs8);
    const leaf = issued.find((c) => sameSpki(c, spki));
    if (!leaf) throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA response holds no certificate for our key');
    const { entityId: cn } = profileOf(leaf);
    if (cn !== entityId)
      throw new HelmlinkError(
        'ERR_CERT_PROFILE',
        `the issued certificate names ${cn ?? 'no entity'}, not ${entityId}`,
      );
    return checkOwnChain(leaf, [...issued, ...caChain], root, new Date(this.#o.clock()));
  }

  async #store(p: {
    pkcs8: Uint8Array;
    spec: KeySpec;
    chain: x509.X509Certificate[];
    root: x509.X509Certificate;
    custody: 'keychain' | 'passphrase';
    passphrase: string | undefined;
    caUrl: string | null;
    source: 'enrolled' | 'imported';
  }): Promise<void> {
    const { file, dataKey } = await sealKey(p.pkcs8, {
      custody: p.custody,
      ...(p.passphrase ? { passphrase: p.passphrase } : {}),
      ...(this.#o.keychain ? { keychain: this.#o.keychain } : {}),
      ...(this.#o.scrypt ? { scrypt: this.#o.scrypt } : {}),
    });
    const files: IdentityFiles = {
      meta: {
        v: 1,
        entityId: profileOf(p.chain[0]!).entityId ?? p.chain[0]!.subject,
        keySpec: p.spec,
        caUrl: p.caUrl,
        rootFingerprint: fingerprintOf(p.root),
        createdAt: new Date(this.#o.clock()).toISOString(),
        renewedAt: null,
        source: p.source,
      },
      sealed: file,
      chain: p.chain,
      root: p.root,
    };
    try {
      await writeIdentityFiles(this.#o.dataDir, files);
    } catch (err) {
      await destroySealedKey(file, this.#o.keychain).catch(() => undefined);
      throw err;
    }
    this.#files = files;
    this.#open = await this.#materialise(p.pkcs8, dataKey, p.spec, p.chain[0]!);
    this.#error = null;
    this.#schedule();
  }

  async #import(req: ImportRequest): Promise<IdentityStatus> {
    if (this.#files) throw new HelmlinkError('ERR_IDENTITY_EXISTS');
    await this.#assertCustody(req.custody);
    let pkcs8: Uint8Array;
    let certs: x509.X509Certificate[];
    if (req.format === 'pkcs12') {
      ({ pkcs8, certificates: certs } = await parsePkcs12(
        new Uint8Array(Buffer.from(req.fileBase64, 'base64')),
        req.filePassphrase,
      ));
    } else {
      const block = decodePem(req.keyPem).find((b) => b.label === 'ENCRYPTED PRIVATE KEY');
      if (!block)
        throw new HelmlinkError(
          'ERR_IMPORT_INVALID',
          'the key must be a passphrase-protected PKCS#8 PEM (BEGIN ENCRYPTED PRIVATE KEY)',
        );
      pkcs8 = await decryptEncryptedPkcs8(block.der, req.filePassphrase);
      try {
        certs = parseCertificates(req.chainPem);
      } catch (cause) {
        throw new HelmlinkError('ERR_IMPORT_INVALID', 'the certificate chain cannot be parsed', { cause });
      }
    }
    const spec = await pkcs8KeySpec(pkcs8);
    const spki = spkiOfPkcs8(pkcs8);
    const leaf = certs.find((c) => sameSpki(c, spki));
    if (!leaf)
      throw new HelmlinkError(
        'ERR_IDENTITY_INVALID',
        'no certificate in the file belongs to the private key',
      );
    let root: x509.X509Certificate | undefined;
    let caChain: x509.X509Certificate[] = [];
    if (req.rootFingerprint) {
      const pin = normalizeFingerprint(req.rootFingerprint);
      root = certs.find((c) => fingerprintOf(c) === pin);
      if (!root && req.caUrl)
        ({ root, chain: caChain } = await fetchPinnedRoot(
          consoleCaClient({ url: req.caUrl, pin, timeoutMs: this.#o.caTimeoutMs }),
        ));
      if (!root)
        throw new HelmlinkError(
          'ERR_CA_PIN_MISMATCH',
          'the pinned root is neither in the file nor available from the CA',
        );
    } else {
      const selfSigned = [];
      for (const c of certs) if (c !== leaf && (await c.isSelfSigned())) selfSigned.push(c);
      if (selfSigned.length !== 1) {
        throw new HelmlinkError(
          'ERR_IMPORT_INVALID',
          'the chain must include its root certificate, or give the CA URL and root fingerprint',
        );
      }
      root = selfSigned[0]!;
    }
    const chain = await checkOwnChain(leaf, [...certs, ...caChain], root, new Date(this.#o.clock()));
    if (!profileOf(leaf).entityId)
      throw new HelmlinkError('ERR_CERT_PROFILE', 'the certificate does not follow the Helmlink profile');
    await this.#store({
      pkcs8,
      spec,
      chain,
      root,
      custody: req.custody,
      passphrase: req.passphrase,
      caUrl: req.caUrl ?? null,
      source: 'imported',
    });
    this.#o.settings.update({
      ...(req.caUrl ? { caUrl: req.caUrl } : {}),
      rootFingerprint: fingerprintOf(root),
    });
    this.#o.audit?.('identity.imported', this.#files!.meta.entityId);
    return this.#changed();
  }

  async #renew(): Promise<IdentityStatus> {
    const f = this.#files;
    if (!f) throw new HelmlinkError('ERR_IDENTITY_MISSING');
    const caUrl = f.meta.caUrl ?? this.#o.settings.get().caUrl;
    if (!caUrl) throw new HelmlinkError('ERR_SETTINGS_MISSING', 'the CA URL is not set');
    this.#renewal = { ...this.#renewal, state: 'renewing', lastAttemptAt: new Date(this.#o.clock()).toISOString() };
    this.#changed();
    try {
      const signer = await this.signer();
      const ca = consoleCaClient({
        url: caUrl,
        root: f.root,
        tls: signer.tls(),
        timeoutMs: this.#o.caTimeoutMs,
      });
      const keys = await generateKeyPair(f.meta.keySpec, { extractable: true });
      const pkcs8 = await exportPkcs8(keys.privateKey);
      const csr = await createProfileCsr(f.meta.entityId, keys);
      const res = await ca.json<unknown>('POST', '/ca/v1/renew', { csr });
      const chain = await this.#acceptIssued(res, pkcs8, f.meta.entityId, f.chain.slice(1), f.root);
      const dataKey = this.#open!.dataKey;
      const now = new Date(this.#o.clock()).toISOString();
      const files: IdentityFiles = {
        ...f,
        meta: { ...f.meta, renewedAt: now },
        sealed: resealKey(f.sealed as SealedKeyFile, dataKey, pkcs8),
        chain,
      };
      await writeIdentityFiles(this.#o.dataDir, files);
      this.#files = files;
      this.#open = await this.#materialise(pkcs8, dataKey, f.meta.keySpec, chain[0]!);
      this.#renewal = { state: 'idle', lastAttemptAt: now, lastRenewedAt: now, lastError: null };
      this.#o.audit?.('identity.renewed', f.meta.entityId);
      this.#schedule();
      return this.#changed();
    } catch (err) {
      this.#renewal = { ...this.#renewal, state: 'failed', lastError: toApiError(err) };
      this.#changed();
      throw err;
    }
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#o.autoRenewTimers === false) return;
    const due = this.renewalDueAt();
    if (!due) return;
    const failed = this.#renewal.state === 'failed';
    const wait = Math.max(failed ? 15 * 60_000 : 0, due.getTime() - this.#o.clock());
    // Timers cap at ~24.8 days; a long wait just re-checks.
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        void this.renewIfDue().finally(() => this.#schedule());
      },
      Math.min(wait, 2 ** 31 - 1),
    );
    this.#timer.unref();
    if (this.#renewal.state === 'idle') this.#renewal.state = 'scheduled';
  }
}
