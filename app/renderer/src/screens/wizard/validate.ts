/** Field checks of the first-run wizard, in words an operator understands. */
import {
  brokerUrlSchema,
  entityIdSchema,
  fingerprintSchema,
  httpsUrlSchema,
  type CustodyMode,
} from '@helmlink/app-preload';
import { ENTITY_ID_RULE } from '@helmlink/protocol/vocabulary';

export type Mode = 'enroll' | 'import';
export type Fields = Record<string, string>;
/** The files picked on the import step: the key or PKCS#12 file, and the PEM chain. */
export interface SourceFiles {
  main: File | null;
  chain: File | null;
}

function check(
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } },
  value: string,
): string | null {
  const r = schema.safeParse(value);
  return r.success ? null : (r.error?.issues[0]?.message ?? 'invalid');
}

const CA_URL_WORDS = 'Enter the https:// address of the certificate authority';
const FINGERPRINT_WORDS =
  'Enter the 64 hexadecimal digits of the SHA-256 fingerprint (colons and spaces allowed)';

/** Field errors for the CA step (enroll) or the file step (import). */
export function validateSource(mode: Mode, f: Fields, files: SourceFiles): Record<string, string> {
  const errors: Record<string, string> = {};
  if (mode === 'enroll') {
    if (check(httpsUrlSchema, f.caUrl ?? '')) errors.caUrl = CA_URL_WORDS;
    if (check(fingerprintSchema, f.rootFingerprint ?? '')) errors.rootFingerprint = FINGERPRINT_WORDS;
    if ((f.token ?? '').trim().length < 8) errors.token = 'Paste the enrollment token you were given';
    if (check(entityIdSchema, f.entityId ?? ''))
      errors.entityId = `Enter your id as written on the token request (${ENTITY_ID_RULE})`;
    if (f.brokerUrl && check(brokerUrlSchema, f.brokerUrl))
      errors.brokerUrl = 'Use an mqtts:// or wss:// address';
  } else {
    if (!files.main)
      errors.file =
        f.format === 'pem' ? 'Choose the encrypted private key file' : 'Choose the PKCS#12 (.p12/.pfx) file';
    if (f.format === 'pem' && !files.chain) errors.chain = 'Choose the certificate chain file (leaf first)';
    if (f.caUrl && check(httpsUrlSchema, f.caUrl)) errors.caUrl = CA_URL_WORDS;
    if (f.rootFingerprint && check(fingerprintSchema, f.rootFingerprint))
      errors.rootFingerprint = FINGERPRINT_WORDS;
  }
  return errors;
}

/** Field errors for the key protection step. */
export function validateCustody(
  custody: CustodyMode,
  passphrase: string,
  confirm: string,
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (custody === 'passphrase' && passphrase.length === 0)
    errors.passphrase = 'Choose a passphrase: it protects the key';
  if (passphrase.length > 0 && passphrase.length < 8) errors.passphrase = 'Use at least 8 characters';
  if (passphrase !== confirm) errors.confirm = 'The two passphrases differ';
  return errors;
}
