import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type {
  AlertView,
  CertificateStatus,
  CrlView,
  EnrollmentTokenView,
  IssuedCertificateView,
  RequestOf,
} from '@helmlink/app-preload';
import type { RevocationReasonCode, Role } from '@helmlink/protocol/vocabulary';
import { api, call } from '../api/current';
import { friendlyError, type FriendlyError } from '../logic/errors';

/** Filters of the certificates table. */
export interface CertFilter {
  role: Role | null;
  status: CertificateStatus | null;
  /** Only certificates expiring within this many days. */
  expiringWithinDays: number | null;
}

/** The PKI administrator's view (admin-role identities only). */
export interface PkiStoreState {
  filter: CertFilter;
  certs: IssuedCertificateView[];
  crl: CrlView | null;
  alerts: AlertView[];
  /** The enrollment token just created: shown once, dropped when the dialog closes. */
  token: EnrollmentTokenView | null;
  /** The certificate being revoked (dialog open). */
  revoking: IssuedCertificateView | null;
  loading: boolean;
  busy: 'revoke' | 'release' | 'token' | null;
  error: FriendlyError | null;
}

const MAX_ALERTS = 200;

export const pkiStore = createStore<PkiStoreState>(() => ({
  filter: { role: null, status: null, expiringWithinDays: null },
  certs: [],
  crl: null,
  alerts: [],
  token: null,
  revoking: null,
  loading: false,
  busy: null,
  error: null,
}));

/** React hook over the PKI store. */
export function usePki<T>(selector: (s: PkiStoreState) => T): T {
  return useStore(pkiStore, selector);
}

function filterRequest(f: CertFilter): RequestOf<'pki.certs'> {
  return {
    ...(f.role ? { role: f.role } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.expiringWithinDays ? { expiringWithinDays: f.expiringWithinDays } : {}),
  };
}

let certsSeq = 0;

/** Loads the certificates matching the current filter. */
export async function loadCerts(): Promise<void> {
  const seq = ++certsSeq;
  pkiStore.setState({ loading: true });
  try {
    const certs = await call(api().pki.certs(filterRequest(pkiStore.getState().filter)));
    if (seq === certsSeq) pkiStore.setState({ certs, error: null });
  } catch (err) {
    if (seq === certsSeq) pkiStore.setState({ error: friendlyError(err) });
  } finally {
    if (seq === certsSeq) pkiStore.setState({ loading: false });
  }
}

/** Changes the filter and reloads. */
export function setCertFilter(patch: Partial<CertFilter>): Promise<void> {
  pkiStore.setState({ filter: { ...pkiStore.getState().filter, ...patch } });
  return loadCerts();
}

/** Loads the current CRL. */
export async function loadCrl(): Promise<void> {
  try {
    pkiStore.setState({ crl: await call(api().pki.crl()) });
  } catch (err) {
    pkiStore.setState({ error: friendlyError(err) });
  }
}

/** Loads the alerts feed. */
export async function loadAlerts(): Promise<void> {
  try {
    const alerts = await call(api().pki.alerts({ limit: MAX_ALERTS }));
    pkiStore.setState({ alerts: [...alerts].sort((a, b) => b.at.localeCompare(a.at)) });
  } catch (err) {
    pkiStore.setState({ error: friendlyError(err) });
  }
}

/** Loads everything the PKI tab shows. */
export async function loadPki(): Promise<void> {
  await Promise.all([loadCerts(), loadCrl(), loadAlerts()]);
}

/** A pushed alert: newest first, no duplicates. */
export function applyAlert(alert: AlertView): void {
  const alerts = pkiStore.getState().alerts.filter((a) => a.id !== alert.id);
  pkiStore.setState({ alerts: [alert, ...alerts].slice(0, MAX_ALERTS) });
}

/** Opens the revoke dialog for a certificate. */
export function openRevoke(cert: IssuedCertificateView): void {
  pkiStore.setState({ revoking: cert, error: null });
}

/** Closes the revoke dialog. */
export function closeRevoke(): void {
  pkiStore.setState({ revoking: null });
}

function replaceCert(updated: IssuedCertificateView): void {
  pkiStore.setState({
    certs: pkiStore.getState().certs.map((c) => (c.serial === updated.serial ? updated : c)),
  });
}

/**
 * Runs one admin action at a time: marks the store busy with `kind`, stores a friendly error on failure and
 * returns `undefined` then, or the action's result.
 */
async function exclusive<T>(
  kind: NonNullable<PkiStoreState['busy']>,
  action: () => Promise<T>,
  reset: Partial<PkiStoreState> = {},
): Promise<T | undefined> {
  if (pkiStore.getState().busy) return undefined;
  pkiStore.setState({ busy: kind, error: null, ...reset });
  try {
    return await action();
  } catch (err) {
    pkiStore.setState({ error: friendlyError(err) });
    return undefined;
  } finally {
    pkiStore.setState({ busy: null });
  }
}

/** Revokes the certificate in the dialog with an RFC 5280 reason; refreshes the table and CRL. */
export async function revokeCertificate(
  reasonCode: RevocationReasonCode,
  description?: string,
): Promise<boolean> {
  const cert = pkiStore.getState().revoking;
  if (!cert) return false;
  const desc = description?.trim();
  const done = await exclusive('revoke', async () => {
    replaceCert(
      await call(
        api().pki.revoke({ serial: cert.serial, reasonCode, ...(desc ? { description: desc } : {}) }),
      ),
    );
    pkiStore.setState({ revoking: null });
    void loadCrl();
    return true;
  });
  return done ?? false;
}

/** Releases a certificate hold (removeFromCRL). */
export async function releaseHold(serial: string): Promise<boolean> {
  const done = await exclusive('release', async () => {
    replaceCert(await call(api().pki.release({ serial })));
    void loadCrl();
    return true;
  });
  return done ?? false;
}

/** Creates a one-time enrollment token; it stays in the store only until {@link dismissToken}. */
export function createToken(request: RequestOf<'pki.createToken'>): Promise<EnrollmentTokenView | undefined> {
  return exclusive(
    'token',
    async () => {
      const token = await call(api().pki.createToken(request));
      pkiStore.setState({ token });
      return token;
    },
    { token: null },
  );
}

/** Forgets the shown token. */
export function dismissToken(): void {
  pkiStore.setState({ token: null });
}

/** Clears the shown error. */
export function clearPkiError(): void {
  pkiStore.setState({ error: null });
}
