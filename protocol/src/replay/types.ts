/**
 * Replay protection: every accepted token's `jti` is remembered per issuer until the token could no longer be
 * accepted anyway (its `exp` plus the clock tolerance), so a captured token cannot be applied twice.
 */

/** One remembered token. */
export interface ReplayEntry {
  /** The issuer (signer id) the jti belongs to. */
  iss: string;
  jti: string;
  /** Epoch seconds after which the entry may be forgotten: the token's exp + clock tolerance. */
  expiresAt: number;
}

/**
 * Where seen jtis are kept. `checkAndRecord` is one atomic step: it returns `true` and records the entry when the
 * (iss, jti) pair was not seen, `false` when it was (a replay). Implementations may be synchronous (memory,
 * snapshot) or asynchronous (a shared database); they throw ERR_REPLAY_STORE when storage fails, and must not
 * report `true` unless the entry is durably recorded for their durability level.
 */
export interface ReplayStore {
  checkAndRecord(entry: ReplayEntry, nowSeconds: number): boolean | Promise<boolean>;
}

/** The serialized form of a replay snapshot: issuer → jti → expiresAt (epoch seconds). */
export interface ReplaySnapshotJson {
  v: 1;
  entries: Record<string, Record<string, number>>;
}
