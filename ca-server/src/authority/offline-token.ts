/** Creating enrollment tokens without a running server (CLI, demo, tests). */
import type { Clock } from '@helmlink/protocol';
import { loadAuthority } from './authority';
import type { TokenRequest } from './types';

/**
 * Opens the CA in `dir`, creates a one-time enrollment token and closes the CA again.
 * For a running server, call `server.authority.createEnrollmentToken(...)` instead.
 */
export async function createEnrollmentToken(
  opts: { dir: string; passphrase: string; clock?: Clock } & TokenRequest,
): Promise<{ token: string; expiresAt: string }> {
  const { dir, passphrase, clock, ...req } = opts;
  const authority = await loadAuthority({ dir, passphrase, ...(clock ? { clock } : {}) });
  try {
    return authority.createEnrollmentToken(req, { id: 'cli' });
  } finally {
    await authority.close();
  }
}
