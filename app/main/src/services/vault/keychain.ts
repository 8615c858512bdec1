/**
 * The OS keychain through @napi-rs/keyring (N-API, maintained; keytar is archived upstream). On Linux the entry is
 * pinned to the Secret Service (GNOME Keyring, KWallet): without the pin the library may silently fall back to the
 * kernel keyring, which does not survive a reboot and is readable by any process of the user session.
 * When no secure store is reachable the keychain is reported unavailable with the reason, and nothing is ever
 * written elsewhere instead.
 */
import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { randomBytes } from 'node:crypto';
import { HelmlinkError } from '@helmlink/protocol';
import type { KeychainAvailability } from '@helmlink/app-preload';

/** A place to keep one small secret per account. */
export interface Keychain {
  /** Human name of the backend. */
  readonly backend: string;
  /** Probes the store (write, read back, delete) and says whether it can be used, and why not. */
  availability(): Promise<KeychainAvailability>;
  set(account: string, secret: string): Promise<void>;
  get(account: string): Promise<string | null>;
  delete(account: string): Promise<boolean>;
}

export interface OsKeychainOptions {
  /** Service name the entries are stored under. */
  service?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

const BACKENDS: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'Secret Service',
  darwin: 'macOS Keychain',
  win32: 'Windows Credential Manager',
};

/** Turns a keyring failure into words a person can act on. */
export function explainKeychainError(err: unknown, platform: NodeJS.Platform): string {
  const text = err instanceof Error ? err.message : String(err);
  if (platform === 'linux') {
    if (/dbus|D-Bus|session bus|org\.freedesktop/iu.test(text) && /connect|address|bus/iu.test(text)) {
      return `the Secret Service cannot be reached over D-Bus (${text})`;
    }
    if (/locked|prompt|dismissed|AccessDenied/iu.test(text))
      return `the keyring is locked or access was refused (${text})`;
    return `the Secret Service refused the request (${text})`;
  }
  return `${BACKENDS[platform] ?? 'the OS keychain'} refused the request (${text})`;
}

/** The OS keychain, Linux pinned to the Secret Service. */
export function createOsKeychain(options: OsKeychainOptions = {}): Keychain {
  const service = options.service ?? 'helmlink-console';
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const backend = BACKENDS[platform] ?? 'unsupported';
  const entryOptions: EntryOptions = { linux: { store: 'secret-service' } };
  const entry = (account: string) => new AsyncEntry(service, account, entryOptions);

  const wrap = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (cause) {
      throw new HelmlinkError('ERR_KEYCHAIN_UNAVAILABLE', explainKeychainError(cause, platform), { cause });
    }
  };

  return {
    backend,
    async availability() {
      if (!BACKENDS[platform])
        return { available: false, backend: null, reason: `no supported keychain on ${platform}` };
      if (platform === 'linux' && !env.DBUS_SESSION_BUS_ADDRESS) {
        return {
          available: false,
          backend,
          reason:
            'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so the Secret Service cannot be reached',
        };
      }
      const probe = entry(`probe-${randomBytes(6).toString('hex')}`);
      const value = randomBytes(12).toString('hex');
      try {
        await probe.setPassword(value);
        const back = await probe.getPassword();
        await probe.deletePassword();
        if (back !== value)
          return { available: false, backend, reason: 'the keychain did not return the value just stored' };
        return { available: true, backend, reason: null };
      } catch (err) {
        return { available: false, backend, reason: explainKeychainError(err, platform) };
      }
    },
    set: (account, secret) => wrap(() => entry(account).setPassword(secret)),
    get: (account) => wrap(() => entry(account).getPassword()),
    delete: (account) => wrap(() => entry(account).deletePassword()),
  };
}
