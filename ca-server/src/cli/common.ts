/** Shared CLI helpers: passphrase source, file reading, opening the store. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HelmlinkError } from '@helmlink/protocol';
import { readInput, readPassphraseOption, UsageError, type CliIO } from '@helmlink/protocol/node';
import { caPaths } from '../authority/files';
import { SqliteStore } from '../store/sqlite';

export const PASSPHRASE_HELP = `The CA passphrase comes from --passphrase-file FILE (first line), HELMLINK_CA_PASSPHRASE, or the systemd
credential ca-passphrase ($CREDENTIALS_DIRECTORY/ca-passphrase, LoadCredential=), in that order; it must not be empty.`;

/** The systemd credential (LoadCredential=) holding the CA passphrase under a service. */
export const CA_PASSPHRASE_CREDENTIAL = 'ca-passphrase';

/** The CA passphrase from --passphrase-file, HELMLINK_CA_PASSPHRASE or the systemd credential ca-passphrase. */
export function readPassphrase(io: CliIO, file: string | undefined): string {
  if (!file && io.env.HELMLINK_CA_PASSPHRASE === undefined && io.env.CREDENTIALS_DIRECTORY)
    file = join(io.env.CREDENTIALS_DIRECTORY, CA_PASSPHRASE_CREDENTIAL);
  if (file) return readPassphraseOption(io, file);
  const passphrase = io.env.HELMLINK_CA_PASSPHRASE;
  if (passphrase === undefined)
    throw new UsageError(
      'no passphrase: set HELMLINK_CA_PASSPHRASE, pass --passphrase-file or run under systemd with LoadCredential=ca-passphrase:FILE',
    );
  if (passphrase.length === 0) throw new HelmlinkError('ERR_PASSPHRASE_REQUIRED');
  return passphrase;
}

/** Reads a text file relative to the CLI's cwd or throws a UsageError (exit 2). */
export function readText(io: CliIO, path: string, what: string): string {
  return readInput(io, path, what).toString('utf8');
}

export const abs = (io: CliIO, path: string): string => resolve(io.cwd, path);

/**
 * Opens the CA store of `--dir` for a read-only style command, runs `use` and always closes it.
 * A missing store is a usage error (exit 2).
 */
export async function withCaStore<T>(
  io: CliIO,
  dirOption: string,
  use: (store: SqliteStore) => T | Promise<T>,
): Promise<T> {
  const dir = abs(io, dirOption);
  const db = caPaths(dir).db;
  if (!existsSync(db)) throw new UsageError(`no CA store in ${dir}`);
  const store = new SqliteStore(db);
  try {
    return await use(store);
  } finally {
    store.close();
  }
}
