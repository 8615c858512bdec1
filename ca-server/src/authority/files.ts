/** The layout of a CA directory. */
import { join } from 'node:path';

/** Paths of everything the CA keeps in its directory. */
export function caPaths(dir: string) {
  return {
    dir,
    config: join(dir, 'ca.json'),
    db: join(dir, 'ca.db'),
    rootCert: join(dir, 'root.crt.pem'),
    rootKey: join(dir, 'root.key.pem'),
    issuingCert: join(dir, 'issuing.crt.pem'),
    issuingKey: join(dir, 'issuing.key.pem'),
    issuingCsr: join(dir, 'issuing.csr.pem'),
    chain: join(dir, 'chain.pem'),
    serverCert: join(dir, 'server.crt.pem'),
    serverKey: join(dir, 'server.key.pem'),
    crl: join(dir, 'crl.pem'),
    rootCrl: join(dir, 'root-crl.pem'),
    auditCheckpoint: join(dir, 'audit-checkpoint.json'),
    adminDir: join(dir, 'admin'),
  };
}

export type CaPaths = ReturnType<typeof caPaths>;

/** The CA's configuration file (ca.json). */
export interface CaConfig {
  version: 1;
  organization: string;
  keyAlg: string;
  /** `ready`, or `pending-intermediate` while an external root signs the issuing CA's CSR. */
  state: 'ready' | 'pending-intermediate';
  /** The entity id of the CA service identity (role ca): HTTPS server and CRL publisher. */
  serviceId: string;
  serverHosts: string[];
  rootFingerprint?: string;
}
