/** `vessel enroll`: key + CSR, token enrollment against the pinned CA, then chain, root and CRL on disk. */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { HelmlinkError, certificateFingerprint, readIdentity } from '@helmlink/protocol';
import { acquireListenerLock } from '../listener/lock';
import type { VesselConfig } from '../config';
import { createKeyAndCsr } from './csr';
import { bootstrapRoot, enrollRequest, fetchCrls } from './ca-client';
import { identityPaths, saveCrls, saveIdentity } from './files';

export interface EnrollResult {
  vesselId: string;
  serial: string;
  notAfter: Date;
  fingerprint: string;
  crls: number;
}

/**
 * Enrolls the vessel: generates its key (config.key.alg), sends a CSR with the one-time token over TLS pinned to the
 * root fingerprint, checks the issued certificate names this vessel, and stores key (encrypted), chain, root and the
 * current CRL in the data dir.
 * An enrolled folder (a key or certificate present) is refused unless `force` (its key and certificate are replaced),
 * and so is a folder a running listener holds: both before the token is spent.
 * @throws HelmlinkError ERR_ALREADY_ENROLLED, ERR_VESSEL_LOCKED, ERR_SERVER_UNTRUSTED (fingerprint), CA refusal
 *   codes (e.g. ERR_ENROLL_TOKEN_USED), ERR_CERT_PROFILE (issued certificate for another entity or without the
 *   vessel role).
 */
export async function enrollVessel(
  config: VesselConfig,
  token: string,
  passphrase: string,
  options: { force?: boolean } = {},
): Promise<EnrollResult> {
  const paths = identityPaths(config.dataDir);
  if (!options.force && (existsSync(paths.key) || existsSync(paths.cert))) {
    throw new HelmlinkError(
      'ERR_ALREADY_ENROLLED',
      `${config.dataDir} already holds a vessel key and certificate; pass --force to replace them`,
    );
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const lock = await acquireListenerLock(config.dataDir, 'vessel enroll');
  try {
    return await enrollLocked(config, token, passphrase);
  } finally {
    await lock.release();
  }
}

async function enrollLocked(config: VesselConfig, token: string, passphrase: string): Promise<EnrollResult> {
  const endpoint = {
    url: config.ca.url,
    rootFingerprint: config.ca.rootFingerprint,
    timeoutMs: config.ca.timeoutMs,
  };
  const root = await bootstrapRoot(endpoint);
  const { pkcs8, csrPem } = await createKeyAndCsr(config.key.alg, config.vesselId);
  const client = { ...endpoint, root };
  const { chain } = await enrollRequest(client, csrPem, token);
  const identity = readIdentity(chain[0]!);
  if (identity.entityId !== config.vesselId || !identity.roles.includes('vessel')) {
    throw new HelmlinkError(
      'ERR_CERT_PROFILE',
      `the CA issued a certificate for ${identity.entityId} (${identity.roles.join(',')}), not vessel ${config.vesselId}`,
    );
  }
  await saveIdentity(config.dataDir, { pkcs8, passphrase, chain, root });
  let crls = 0;
  try {
    const fetched = await fetchCrls(client);
    await saveCrls(config.dataDir, fetched);
    crls = fetched.length;
  } catch {
    // The listener fetches it on start and from the retained MQTT topic; enrollment itself succeeded.
  }
  return {
    vesselId: identity.entityId,
    serial: chain[0]!.serialNumber,
    notAfter: chain[0]!.notAfter,
    fingerprint: await certificateFingerprint(chain[0]!),
    crls,
  };
}
