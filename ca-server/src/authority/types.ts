/** The authority's public shapes: its options, who acts, and what an issuance returns. */
import type { Clock } from '@helmlink/protocol';
import type { TokenRequest } from '@helmlink/ca-client/wire';
import type { WebhookOptions } from './alerts';
import type { RateLimitOptions } from './rate-limit';
import type { FdatasyncFn } from '../store/wal-sync';

/** A token request is the wire's: the admin route passes its validated body through unchanged. */
export type { TokenRequest };

export interface AuthorityOptions {
  dir: string;
  passphrase: string;
  /** The time source. Default: the system clock. */
  clock?: Clock;
  /** CRL lifetime (nextUpdate - thisUpdate). Default 24 h. */
  crlValiditySeconds?: number;
  /** Re-issue the CRL when less than this remains before nextUpdate. Default half the lifetime. */
  crlRefreshMarginSeconds?: number;
  /**
   * `issue` (default): this process keeps the CRL current. `follow`: another process does (a running `ca serve`):
   * its `crl.pem` is taken as it is, whatever lifetime it was issued with, and a CRL is issued here only when there
   * is no unexpired one (`ca broker sync` next to a running server).
   */
  crlMode?: 'issue' | 'follow';
  alertWebhook?: WebhookOptions;
  /** Per group, the limits to change (the others keep {@link DEFAULT_RATE_LIMITS}). */
  rateLimits?: RateLimitOptions;
  /** Interval of the periodic audit checkpoints, in seconds (every CRL carries one too). Default 3600. */
  auditCheckpointSeconds?: number;
  /** How many alerts the store keeps (the oldest are dropped). Default 10,000. */
  alertRetention?: number;
  /** The call that syncs the database's write-ahead log (node:fs `fdatasync`; a test injects a failing one). */
  fdatasync?: FdatasyncFn;
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

/** Where a request came from (the client address, `local` for tools). */
export interface RequestContext {
  address?: string;
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
