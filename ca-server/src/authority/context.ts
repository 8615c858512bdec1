/**
 * What the authority's operations share (enroll, renew, tokens, revocation, client authentication, queries): the
 * CA material, the store, the clock and the side effects every operation may need. The {@link Authority} facade
 * implements it; each operation file takes it as its first parameter, so an operation names its dependencies and
 * imports no other operation.
 */
import type * as x509 from '@peculiar/x509';
import type { Clock, IssuerMaterial } from '@helmlink/protocol';
import type { CaStore, CertRecord } from '../store/types';
import type { AlertSink } from './alerts';
import type { CrlSchedule } from './crl-schedule';
import type { FailureLog } from './failures';
import type { CaConfig } from './files';
import type { Actor } from './types';
import type { RateGroup, RateKind } from './rate-limit';

export interface AuthorityContext {
  readonly store: CaStore;
  readonly config: CaConfig;
  readonly root: x509.X509Certificate;
  readonly issuing: IssuerMaterial;
  readonly alerts: AlertSink;
  readonly clock: Clock;
  readonly crls: CrlSchedule;
  /** Unauthenticated failures per address: budget and aggregated alerts. */
  readonly failures: FailureLog;
  /** Called after every committed issuance (enroll, renew). */
  readonly issueListeners: ReadonlySet<(record: CertRecord) => void>;
  /** PEM of the issuing CA certificate. */
  issuingPem(): string;
  /** PEM of the root certificate. */
  rootPem(): string;
  /** Appends to the hash-chained audit log. */
  audit(actor: string, action: string, details: Record<string, unknown>): void;
  /** Group commit: resolves after the durable COMMIT of `fn`. */
  commit<T>(fn: () => T): Promise<T>;
  /** Counts a request; throws ERR_RATE_LIMITED over the limit. */
  checkRate(group: RateGroup, kind: RateKind, key: string): void;
  /** Replaces the CA's own service identity (new key) and loads it. */
  rotateServiceIdentity(actor: Actor): Promise<CertRecord>;
}
