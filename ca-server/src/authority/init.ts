/**
 * `ca init` and `ca import-intermediate`: create the offline root and the issuing CA (or the issuing CA's CSR for an
 * external root), the CA service identity (role `ca`: HTTPS server and CRL publisher), the first admin identity and
 * the first CRLs. Private keys are written as encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA256 600,000 iterations,
 * AES-256-CBC).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import {
  assertEntityId,
  HelmlinkError,
  buildName,
  certificateFingerprint,
  certificateToPem,
  certificatesToPem,
  createRootCertificate,
  createSubordinateCaCertificate,
  encodePem,
  encryptPrivateKey,
  generateKeyPair,
  parseCertificate,
  publicKeyOf,
  signingAlgorithmFor,
  isKeySpec,
  DEFAULT_KEY_SPEC,
  type KeySpec,
  type IssuerMaterial,
  systemClock,
  type Clock,
} from '@helmlink/protocol';
import { writeFileAtomic } from '@helmlink/protocol/node';
import { SqliteStore } from '../store/sqlite';
import { caPaths, type CaConfig } from './files';
import { issueRecord, DAY_MS } from './issue';
import { issueCrlFile, issueRootCrlFile } from './crl';
import { readKey } from './keys';
import { writeServiceIdentity } from './service-identity';
import { signCheckpoint, writeCheckpointFile } from './checkpoint';

export interface InitOptions {
  dir: string;
  /** Encrypts every private key the CA writes. Required, non-empty. */
  passphrase: string;
  /** Organisation (subject O). Default `Helmlink`. */
  org?: string;
  /** Key algorithm of the CA keys. Default ecdsa-p256. */
  keyAlg?: KeySpec;
  /** Write the issuing CA's CSR for an external root instead of creating a root. */
  externalRoot?: boolean;
  /** Entity id of the first admin. Default `admin`. */
  adminId?: string;
  /** Host names and addresses of the CA service certificate. Default localhost, 127.0.0.1, ::1. */
  serverHosts?: string[];
  clock?: Clock;
}

export interface InitResult {
  state: CaConfig['state'];
  /** SHA-256 of the root certificate DER, lowercase hex (pin this in clients). */
  rootFingerprint?: string;
  adminKeyPath?: string;
  adminCertPath?: string;
  issuingCsrPath?: string;
}

const ROOT_YEARS = 20;
const ISSUING_YEARS = 10;
const ADMIN_DAYS = 365;

function assertPassphrase(passphrase: string): void {
  if (typeof passphrase !== 'string' || passphrase.length === 0)
    throw new HelmlinkError('ERR_PASSPHRASE_REQUIRED');
}

/** Reads ca.json, or throws ERR_CA_NOT_INITIALIZED. */
export async function readCaConfig(dir: string): Promise<CaConfig> {
  const p = caPaths(dir);
  if (!existsSync(p.config))
    throw new HelmlinkError('ERR_CA_NOT_INITIALIZED', `no CA in ${dir} (run helmlink ca init)`);
  return JSON.parse(await readFile(p.config, 'utf8')) as CaConfig;
}

/** Creates a CA in `dir`. Throws ERR_CA_EXISTS when `dir` already holds one, ERR_PASSPHRASE_REQUIRED without a passphrase. */
export async function initAuthority(opts: InitOptions): Promise<InitResult> {
  assertPassphrase(opts.passphrase);
  const keyAlg = opts.keyAlg ?? DEFAULT_KEY_SPEC;
  if (!isKeySpec(keyAlg))
    throw new HelmlinkError('ERR_KEY_UNSUPPORTED', `unsupported key algorithm ${String(keyAlg)}`);
  const adminId = assertEntityId(opts.adminId ?? 'admin');
  const clock = opts.clock ?? systemClock;
  const p = caPaths(opts.dir);
  if (existsSync(p.config)) throw new HelmlinkError('ERR_CA_EXISTS', `${opts.dir} already holds a CA`);
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const org = opts.org ?? 'Helmlink';
  const config: CaConfig = {
    version: 1,
    organization: org,
    keyAlg,
    state: 'pending-intermediate',
    serviceId: 'helmlink-ca',
    serverHosts: opts.serverHosts ?? ['localhost', '127.0.0.1', '::1'],
  };
  const now = new Date(clock());
  const issuingKeys = await generateKeyPair(keyAlg);
  writeFileAtomic(p.issuingKey, await encryptPrivateKey(issuingKeys.privateKey, opts.passphrase));

  if (opts.externalRoot) {
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: buildName({ cn: `${org} Issuing CA`, o: org }),
      keys: issuingKeys,
      signingAlgorithm: signingAlgorithmFor(issuingKeys.privateKey),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    });
    await writeFile(p.issuingCsr, encodePem('CERTIFICATE REQUEST', csr.rawData), { mode: 0o644 });
    await writeFile(p.config, JSON.stringify(config, null, 2), { mode: 0o600 });
    return { state: config.state, issuingCsrPath: p.issuingCsr };
  }

  const rootKeys = await generateKeyPair(keyAlg);
  const rootCert = await createRootCertificate({
    name: { cn: `${org} Root CA`, o: org },
    keys: rootKeys,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + ROOT_YEARS * 365 * DAY_MS),
    pathLength: 1,
  });
  writeFileAtomic(p.rootKey, await encryptPrivateKey(rootKeys.privateKey, opts.passphrase));
  await writeFile(p.rootCert, certificateToPem(rootCert), { mode: 0o644 });
  const issuingCert = await createSubordinateCaCertificate({
    name: { cn: `${org} Issuing CA`, o: org },
    publicKey: issuingKeys.publicKey,
    issuer: { certificate: rootCert, privateKey: rootKeys.privateKey },
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + ISSUING_YEARS * 365 * DAY_MS),
    pathLength: 0,
  });
  return finishSetup(
    opts.dir,
    opts.passphrase,
    config,
    rootCert,
    issuingCert,
    { certificate: issuingCert, privateKey: issuingKeys.privateKey },
    adminId,
    clock,
  );
}

/**
 * Installs the issuing CA certificate signed by an external root (after `initAuthority({ externalRoot: true })`).
 * Checks that the certificate is a CA certificate for the issuing key, signed by `rootPem`'s key.
 */
export async function importIntermediate(opts: {
  dir: string;
  passphrase: string;
  certificatePem: string;
  rootPem: string;
  adminId?: string;
  clock?: Clock;
}): Promise<InitResult> {
  assertPassphrase(opts.passphrase);
  const clock = opts.clock ?? systemClock;
  const config = await readCaConfig(opts.dir);
  if (config.state !== 'pending-intermediate')
    throw new HelmlinkError('ERR_CA_EXISTS', 'this CA already has its issuing certificate');
  const p = caPaths(opts.dir);
  const issuingCert = parseCertificate(opts.certificatePem);
  const rootCert = parseCertificate(opts.rootPem);
  const issuingKey = await readKey(p.issuingKey, opts.passphrase, true);
  const expectedSpki = new Uint8Array(await crypto.subtle.exportKey('spki', await publicKeyOf(issuingKey)));
  if (Buffer.compare(Buffer.from(expectedSpki), Buffer.from(issuingCert.publicKey.rawData)) !== 0) {
    throw new HelmlinkError('ERR_CERT_PROFILE', 'the certificate is not for this CA’s issuing key');
  }
  const bc = issuingCert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca)
    throw new HelmlinkError('ERR_CHAIN_BASIC_CONSTRAINTS', 'the issuing certificate is not a CA certificate');
  if (!(await issuingCert.verify({ publicKey: rootCert.publicKey, signatureOnly: true }))) {
    throw new HelmlinkError('ERR_CHAIN_SIGNATURE', 'the issuing certificate is not signed by the given root');
  }
  await writeFile(p.rootCert, certificateToPem(rootCert), { mode: 0o644 });
  const adminId = assertEntityId(opts.adminId ?? 'admin');
  return finishSetup(
    opts.dir,
    opts.passphrase,
    config,
    rootCert,
    issuingCert,
    { certificate: issuingCert, privateKey: issuingKey },
    adminId,
    clock,
  );
}

async function finishSetup(
  dir: string,
  passphrase: string,
  config: CaConfig,
  rootCert: x509.X509Certificate,
  issuingCert: x509.X509Certificate,
  issuing: IssuerMaterial,
  adminId: string,
  clock: Clock,
): Promise<InitResult> {
  const p = caPaths(dir);
  const now = new Date(clock());
  await writeFile(p.issuingCert, certificateToPem(issuingCert), { mode: 0o644 });
  await writeFile(p.chain, certificatesToPem([issuingCert, rootCert]), { mode: 0o644 });
  const store = new SqliteStore(p.db);
  try {
    // The CA service identity: serves HTTPS and publishes CRLs over MQTT.
    const service = await writeServiceIdentity({ config, paths: p, issuing, passphrase, now });

    const adminKeys = await generateKeyPair(DEFAULT_KEY_SPEC);
    const admin = await issueRecord({
      identity: { entityId: adminId, roles: ['admin'] },
      publicKey: adminKeys.publicKey,
      issuer: issuing,
      now,
      validityDays: ADMIN_DAYS,
      organization: config.organization,
    });
    await mkdir(p.adminDir, { recursive: true, mode: 0o700 });
    const adminKeyPath = join(p.adminDir, `${adminId}.key.pem`);
    const adminCertPath = join(p.adminDir, `${adminId}.crt.pem`);
    writeFileAtomic(adminKeyPath, await encryptPrivateKey(adminKeys.privateKey, passphrase));
    await writeFile(adminCertPath, `${admin.pem}${certificateToPem(issuingCert)}`, { mode: 0o644 });

    store.transaction(() => {
      store.insertCertificate(service);
      store.insertCertificate(admin.record);
      store.appendAudit({
        ts: now.getTime(),
        actor: 'cli',
        action: 'ca.init',
        details: {
          organization: config.organization,
          keyAlg: config.keyAlg,
          serviceSerial: service.serial,
        },
      });
      store.appendAudit({
        ts: now.getTime(),
        actor: 'cli',
        action: 'certificate.issue',
        details: {
          serial: service.serial,
          entityId: config.serviceId,
          roles: ['ca'],
          fingerprint: service.fingerprint,
          via: 'init',
        },
      });
      store.appendAudit({
        ts: now.getTime(),
        actor: 'cli',
        action: 'certificate.issue',
        details: {
          serial: admin.record.serial,
          entityId: adminId,
          roles: ['admin'],
          fingerprint: admin.record.fingerprint,
          via: 'init',
        },
      });
    });
    // The first CRL already carries a signed checkpoint of the audit log (checkpoint.ts).
    const checkpoint = await signCheckpoint(store, issuing, now.getTime());
    await issueCrlFile({ store, issuer: issuing, dir, now, validitySeconds: 86_400, checkpoint });
    if (checkpoint) writeCheckpointFile(p.auditCheckpoint, checkpoint);
    if (existsSync(p.rootKey)) {
      const rootKey = await readKey(p.rootKey, passphrase);
      await issueRootCrlFile({ store, root: { certificate: rootCert, privateKey: rootKey }, dir, now });
    }
    const rootFingerprint = await certificateFingerprint(rootCert);
    const ready: CaConfig = { ...config, state: 'ready', rootFingerprint };
    await writeFile(p.config, JSON.stringify(ready, null, 2), { mode: 0o600 });
    return { state: 'ready', rootFingerprint, adminKeyPath, adminCertPath };
  } finally {
    store.close();
  }
}
