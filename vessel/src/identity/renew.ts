/**
 * Certificate renewal over mutual TLS with the current certificate, with a new key (re-key) for the same subject.
 * Scheduled by the shared renewal rule (`renewalDueAt` of the protocol vocabulary: `atFraction`, default 2/3, of the
 * lifetime, plus random jitter so a fleet does not renew at the same instant).
 */
import { HelmlinkError, certificatesToPem, readIdentity } from '@helmlink/protocol';
import type { VesselConfig } from '../config';
import { renewRequest } from './ca-client';
import { createKeyAndCsr } from './csr';
import { identityFromPkcs8, saveIdentity, type VesselIdentity } from './files';

/**
 * Renews: new key + CSR, POST /ca/v1/renew authenticated by the current certificate, checks the new certificate is
 * for this vessel, stores key (encrypted), and chain. Returns the new identity.
 * @throws HelmlinkError ERR_RENEWAL_FAILED (wrapping the cause's code in details.cause), never leaving a half-written identity.
 */
export async function renewIdentity(
  config: VesselConfig,
  current: VesselIdentity,
  passphrase: string,
): Promise<VesselIdentity> {
  try {
    const { pkcs8, csrPem } = await createKeyAndCsr(config.key.alg, config.vesselId);
    const { chain } = await renewRequest(
      {
        url: config.ca.url,
        rootFingerprint: config.ca.rootFingerprint,
        timeoutMs: config.ca.timeoutMs,
        root: current.root,
        clientCertPem: certificatesToPem(current.chain),
        clientKeyPem: current.tlsKeyPem,
      },
      csrPem,
    );
    const id = readIdentity(chain[0]!);
    if (id.entityId !== config.vesselId || !id.roles.includes('vessel')) {
      throw new HelmlinkError(
        'ERR_CERT_PROFILE',
        `the CA renewed a certificate for ${id.entityId}, not vessel ${config.vesselId}`,
      );
    }
    const next = await identityFromPkcs8(pkcs8, chain, current.root);
    await saveIdentity(config.dataDir, { pkcs8, passphrase, chain });
    return next;
  } catch (err) {
    const code = err instanceof HelmlinkError ? err.code : 'ERR_CA_UNREACHABLE';
    throw new HelmlinkError('ERR_RENEWAL_FAILED', `renewal failed: ${code}: ${(err as Error).message}`, {
      cause: err,
      details: { cause: code },
    });
  }
}
