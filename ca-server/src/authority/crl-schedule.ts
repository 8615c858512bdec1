/**
 * Keeping the CRLs current: the issuing CA's CRL in memory and in `crl.pem` (re-issued on every revocation and
 * before nextUpdate, serialised so numbers and files stay in order), the root's CRL for the issuing CA when the
 * root key is here, and the background timer.
 */
import { readFile } from 'node:fs/promises';
import type * as x509 from '@peculiar/x509';
import { crlNumberOf, parseCrls, type Clock, type IssuerMaterial } from '@helmlink/protocol';
import type { CaStore } from '../store/types';
import { issueCrlFile, issueRootCrlFile, issuedCrl, ROOT_CRL_VALIDITY_SECONDS, type IssuedCrl } from './crl';
import { signCheckpoint, type AuditCheckpoint } from './checkpoint';
import type { CaPaths } from './files';

/** Largest timer delay Node accepts (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface CrlScheduleOptions {
  store: CaStore;
  issuing: IssuerMaterial;
  root: x509.X509Certificate;
  /** The root key when it is kept with the CA (not for an external or offline root). */
  rootKey: CryptoKey | undefined;
  paths: CaPaths;
  clock: Clock;
  audit: (actor: string, action: string, details: Record<string, unknown>) => void;
  /** CRL lifetime (nextUpdate - thisUpdate) in seconds. */
  validitySeconds: number;
  /** Re-issue when less than this remains before nextUpdate, in seconds. */
  refreshMarginSeconds: number;
  /** Another process issues the CRLs: adopt its file whatever its lifetime (see AuthorityOptions.crlMode). */
  follow?: boolean;
  /** Publishes the signed audit checkpoint each CRL carries (file, alert). */
  onCheckpoint: (checkpoint: AuditCheckpoint) => void;
}

/** The CRLs of one CA and their refresh. */
export class CrlSchedule {
  private crl: IssuedCrl | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(crl: IssuedCrl) => void | Promise<void>>();

  constructor(private readonly o: CrlScheduleOptions) {}

  /** The current CRL, re-issued first when it is within the refresh margin of its nextUpdate. */
  async current(): Promise<IssuedCrl> {
    await this.ensureFresh();
    return this.crl!;
  }

  /** Takes over the CRL file written by a previous run (when it parses); ensureFresh decides whether it is current. */
  adopt(pem: string): void {
    // A large CRL is cheaper to re-issue than to parse.
    if (pem.length > 1_000_000) return;
    try {
      const crl = parseCrls(pem)[0]!;
      const number = crlNumberOf(crl);
      // A CRL outliving the configured lifetime (the configuration changed) is replaced at once.
      if (
        number === undefined ||
        !crl.nextUpdate ||
        (!this.o.follow && crl.nextUpdate.getTime() - this.o.clock() > this.o.validitySeconds * 1000)
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

  /**
   * Re-issues the CRL when there is none in memory, it is close to nextUpdate, or a certificate's status changed
   * since it was built (whichever path changed it: a superseding issuance, another process on the same store).
   */
  async ensureFresh(): Promise<void> {
    const now = this.o.clock();
    const current = this.o.store.statusVersion() === this.o.store.crlVersion('issuing');
    if (current && this.crl && this.crl.nextUpdate.getTime() - now > this.o.refreshMarginSeconds * 1000)
      return;
    await this.reissue();
  }

  /** Issues a new CRL now (serialised: CRL numbers and files stay in order), notifies listeners. */
  reissue(): Promise<IssuedCrl> {
    const run = this.chain.then(async () => {
      const now = this.o.clock();
      // Every CRL (so every revocation) carries a signed checkpoint of the audit log's head.
      const checkpoint = await signCheckpoint(this.o.store, this.o.issuing, now);
      const crl = await issueCrlFile({
        store: this.o.store,
        issuer: this.o.issuing,
        dir: this.o.paths.dir,
        now: new Date(now),
        validitySeconds: this.o.validitySeconds,
        checkpoint,
      });
      this.crl = crl;
      if (checkpoint) this.o.onCheckpoint(checkpoint);
      this.o.audit('ca', 'crl.issue', {
        number: crl.number,
        entries: crl.entries,
        nextUpdate: crl.nextUpdate.toISOString(),
        ...(checkpoint ? { checkpointSeq: checkpoint.seq } : {}),
      });
      for (const listener of this.listeners) {
        try {
          await listener(crl);
        } catch {
          // Listeners report their own failures (e.g. an alert for a failed MQTT publish).
        }
      }
      return crl;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Re-issues the root's CRL for the issuing CA when the root key is present. */
  async reissueRoot(): Promise<IssuedCrl | undefined> {
    if (!this.o.rootKey) return undefined;
    return issueRootCrlFile({
      store: this.o.store,
      root: { certificate: this.o.root, privateKey: this.o.rootKey },
      dir: this.o.paths.dir,
      now: new Date(this.o.clock()),
      validitySeconds: ROOT_CRL_VALIDITY_SECONDS,
    });
  }

  /**
   * Re-issues the root's CRL (root-crl.pem) when the root key is here and the current one expires within
   * `minRemainingSeconds` (default: half its lifetime, 90 days) or cannot be read.
   */
  async refreshRootIfDue(minRemainingSeconds = ROOT_CRL_VALIDITY_SECONDS / 2): Promise<boolean> {
    if (!this.o.rootKey) return false;
    try {
      const current = parseCrls(await readFile(this.o.paths.rootCrl, 'utf8'))[0]!;
      if (current.nextUpdate && current.nextUpdate.getTime() - this.o.clock() > minRemainingSeconds * 1000)
        return false;
    } catch {
      // Missing or unreadable: issue a new one.
    }
    await this.reissueRoot();
    return true;
  }

  /** Calls `listener` after every CRL issuance. Returns an unsubscribe function. */
  onCrl(listener: (crl: IssuedCrl) => void | Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Keeps the CRLs current in the background (re-issued before nextUpdate). */
  start(): void {
    this.stop();
    const schedule = (): void => {
      const remaining =
        (this.crl?.nextUpdate.getTime() ?? 0) - this.o.clock() - this.o.refreshMarginSeconds * 1000;
      this.timer = setTimeout(
        () => {
          Promise.all([this.ensureFresh(), this.refreshRootIfDue()])
            .catch(() => undefined)
            .finally(schedule);
        },
        Math.max(1000, Math.min(remaining + 1000, MAX_TIMER_MS)),
      );
      this.timer.unref();
    };
    schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves when the CRL work queued so far has finished. */
  settled(): Promise<unknown> {
    return this.chain;
  }
}
