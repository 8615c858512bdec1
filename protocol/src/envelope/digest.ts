/** The binding of an ack to its command: base64url SHA-256 of the exact command token string. */
import { base64url } from 'jose';

/** base64url (no padding) SHA-256 of the command token's ASCII bytes: the ack's `cmd_sha256`. */
export async function commandDigest(commandToken: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(commandToken));
  return base64url.encode(new Uint8Array(digest));
}
