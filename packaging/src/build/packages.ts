/** The two Debian packages: what each one ships and how its service is set up. */
import { join } from 'node:path';
import { DEBIAN_DIR, PACKAGING_DIR } from './paths';

/** A native addon shipped beside an executable. */
export type Addon = 'better-sqlite3' | 'sd-notify';

export interface DebPackage {
  /** Package, executable, unit and system user name. */
  name: 'helmlink-vessel' | 'helmlink-ca';
  /** The entry bundled into the one-file executable. */
  entry: string;
  /** What the service is, for the user's GECOS field. */
  role: string;
  /** State directory (0700, the service user's). */
  stateDir: string;
  /** The credential's source file (LoadCredential=NAME:SOURCE); deleted on purge. */
  credentialSource: string;
  addons: Addon[];
  /** Configuration files: installed path → file in packaging/debian (dpkg conffiles). */
  conffiles: Record<string, string>;
  /** Further systemd units, installed as they are and left disabled: unit name → file in packaging/debian. */
  extraUnits: Record<string, string>;
  /** Further Depends beyond the shared libraries dpkg-shlibdeps finds. */
  depends: string[];
  summary: string;
  /** Long description, one paragraph per entry. */
  description: string[];
}

export const VESSEL_PACKAGE: DebPackage = {
  name: 'helmlink-vessel',
  entry: join(PACKAGING_DIR, 'src', 'entries', 'vessel.ts'),
  role: 'vessel listener',
  stateDir: '/var/lib/helmlink/vessel',
  credentialSource: '/etc/helmlink/credentials/vessel-key-passphrase',
  addons: ['sd-notify'],
  conffiles: { '/etc/helmlink/vessel.json': join(DEBIAN_DIR, 'helmlink-vessel', 'vessel.json') },
  extraUnits: {},
  depends: ['adduser'],
  summary: 'Helmlink vessel listener: verifies and applies signed stream commands',
  description: [
    'The headless program aboard a ship that lets a remote pilot switch its data streams (IEC 61162-450 multicast groups) on and off over MQTT with mutual TLS. Every command is verified offline: certificate chain to the pinned fleet root, CRL, signature, audience, freshness and replay; applied at most once, persisted, and acknowledged with a signed ack.',
    'This package ships one self-contained executable (Node.js single executable application, no Node.js installation needed) and a hardened systemd service running as its own system user.',
  ],
};

export const CA_PACKAGE: DebPackage = {
  name: 'helmlink-ca',
  entry: join(PACKAGING_DIR, 'src', 'entries', 'ca.ts'),
  role: 'certificate authority',
  stateDir: '/var/lib/helmlink/ca',
  credentialSource: '/etc/helmlink/credentials/ca-passphrase',
  addons: ['better-sqlite3', 'sd-notify'],
  conffiles: { '/etc/helmlink/ca.conf': join(DEBIAN_DIR, 'helmlink-ca', 'ca.conf') },
  // A broker the CA does not run reloads each new CRL (enable with: systemctl enable --now helmlink-broker-reload.path).
  extraUnits: {
    'helmlink-broker-reload.path': join(DEBIAN_DIR, 'helmlink-ca', 'helmlink-broker-reload.path'),
    'helmlink-broker-reload.service': join(DEBIAN_DIR, 'helmlink-ca', 'helmlink-broker-reload.service'),
  },
  depends: ['adduser'],
  summary: 'Helmlink certificate authority for pilots, vessels and brokers',
  description: [
    "The fleet's private PKI for Helmlink: a root and an issuing CA, one-time enrollment tokens, renewal and administration over mutual TLS, RFC 5280 revocation with CRLs, a hash-chained audit log and the Mosquitto material that cuts revoked clients off the broker.",
    'This package ships one self-contained executable (Node.js single executable application, no Node.js installation needed) with its SQLite addon, and a hardened systemd service running as its own system user.',
  ],
};

export const PACKAGES = [VESSEL_PACKAGE, CA_PACKAGE] as const;
