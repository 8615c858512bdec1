/** The wizard's form turned into the contract's enroll and import requests. */
import type { CustodyMode, RequestOf } from '@helmlink/app-preload';
import { readFileBase64, readFileText } from '../../logic/files';
import type { Fields, SourceFiles } from './validate';

/** The enrollment request from the CA step's fields (trimmed; the broker address only when given). */
export function enrollRequest(
  f: Fields,
  custody: CustodyMode,
  passphrase: string,
): RequestOf<'identity.enroll'> {
  return {
    caUrl: f.caUrl!.trim(),
    rootFingerprint: f.rootFingerprint!.trim(),
    token: f.token!.trim(),
    entityId: f.entityId!.trim(),
    custody,
    ...(passphrase ? { passphrase } : {}),
    ...(f.brokerUrl?.trim() ? { brokerUrl: f.brokerUrl.trim() } : {}),
  };
}

/** The import request: the chosen files read in the browser, the CA fields only when given. */
export async function importRequest(
  f: Fields,
  files: SourceFiles,
  custody: CustodyMode,
  passphrase: string,
): Promise<RequestOf<'identity.import'>> {
  const pass = passphrase ? { passphrase } : {};
  const optional = {
    ...(f.caUrl?.trim() ? { caUrl: f.caUrl.trim() } : {}),
    ...(f.rootFingerprint?.trim() ? { rootFingerprint: f.rootFingerprint.trim() } : {}),
  };
  if (f.format === 'pem') {
    return {
      format: 'pem',
      keyPem: await readFileText(files.main!),
      chainPem: await readFileText(files.chain!),
      filePassphrase: f.filePassphrase ?? '',
      custody,
      ...pass,
      ...optional,
    };
  }
  return {
    format: 'pkcs12',
    fileBase64: await readFileBase64(files.main!),
    filePassphrase: f.filePassphrase ?? '',
    custody,
    ...pass,
    ...optional,
  };
}
