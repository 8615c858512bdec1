import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import {
  ENROLL_STEPS,
  type CustodyOptions,
  type EnrollProgressEvent,
  type EnrollStepId,
  type IdentityStatus,
  type RequestOf,
} from '@helmlink/app-preload';
import { api, call } from '../api/current';
import { friendlyError, type FriendlyError } from '../logic/errors';

export type StepStatus = 'waiting' | 'running' | 'done' | 'failed';

/** Identity, custody options and the enrollment wizard's progress. */
export interface IdentityStoreState {
  status: IdentityStatus | null;
  custody: CustodyOptions | null;
  loading: boolean;
  /** enroll | import | renew | unlock | lock | remove while running. */
  busy: 'enroll' | 'import' | 'renew' | 'unlock' | 'lock' | 'remove' | null;
  /** Per wizard step, in ENROLL_STEPS order. */
  progress: Record<EnrollStepId, StepStatus>;
  error: FriendlyError | null;
  /** Why the last unlock failed (wrong passphrase…), shown in the unlock card itself. */
  unlockError: FriendlyError | null;
}

const idleProgress = (): Record<EnrollStepId, StepStatus> =>
  Object.fromEntries(ENROLL_STEPS.map((s) => [s.id, 'waiting'])) as Record<EnrollStepId, StepStatus>;

export const identityStore = createStore<IdentityStoreState>(() => ({
  status: null,
  custody: null,
  loading: false,
  busy: null,
  progress: idleProgress(),
  error: null,
  unlockError: null,
}));

/** React hook over the identity store. */
export function useIdentity<T>(selector: (s: IdentityStoreState) => T): T {
  return useStore(identityStore, selector);
}

/** Applies a pushed or returned identity status. */
export function applyIdentityStatus(status: IdentityStatus): void {
  identityStore.setState({ status });
}

/** Applies one enrollment progress event (steps before the reported one count as done). */
export function applyEnrollProgress(ev: EnrollProgressEvent): void {
  const progress = { ...identityStore.getState().progress };
  const at = ENROLL_STEPS.findIndex((s) => s.id === ev.step);
  ENROLL_STEPS.forEach((s, i) => {
    if (i < at && progress[s.id] !== 'done') progress[s.id] = 'done';
  });
  progress[ev.step] = ev.status;
  identityStore.setState({ progress, ...(ev.error ? { error: friendlyError(ev.error) } : {}) });
}

/** Loads the identity status and the key custody options. */
export async function loadIdentity(): Promise<void> {
  identityStore.setState({ loading: true });
  try {
    const [status, custody] = await Promise.all([
      call(api().identity.status()),
      call(api().identity.custodyOptions()),
    ]);
    identityStore.setState({ status, custody, error: null });
  } catch (err) {
    identityStore.setState({ error: friendlyError(err) });
  } finally {
    identityStore.setState({ loading: false });
  }
}

async function run(
  busy: NonNullable<IdentityStoreState['busy']>,
  op: () => Promise<IdentityStatus>,
): Promise<boolean> {
  if (identityStore.getState().busy) return false;
  identityStore.setState({ busy, error: null });
  try {
    identityStore.setState({ status: await op() });
    return true;
  } catch (err) {
    identityStore.setState({ error: friendlyError(err) });
    return false;
  } finally {
    identityStore.setState({ busy: null });
  }
}

/** Runs the enrollment (all crypto and network in main); progress arrives as events. Resolves true on success. */
export function enroll(request: RequestOf<'identity.enroll'>): Promise<boolean> {
  identityStore.setState({ progress: idleProgress() });
  return run('enroll', () => call(api().identity.enroll(request)));
}

/** Imports an existing identity (PKCS#12, or encrypted PEM key + chain). */
export function importIdentity(request: RequestOf<'identity.import'>): Promise<boolean> {
  return run('import', () => call(api().identity.import(request)));
}

/** Renews the certificate now (mTLS re-key in main). */
export function renewIdentity(): Promise<boolean> {
  return run('renew', () => call(api().identity.renew()));
}

/** Enters the key passphrase; a refusal is kept as `unlockError` for the unlock card. */
export async function unlockIdentity(passphrase: string): Promise<boolean> {
  identityStore.setState({ unlockError: null });
  const ok = await run('unlock', () => call(api().identity.unlock({ passphrase })));
  if (!ok) identityStore.setState({ unlockError: identityStore.getState().error, error: null });
  return ok;
}

/** Forgets the passphrase in main. */
export function lockIdentity(): Promise<boolean> {
  return run('lock', () => call(api().identity.lock()));
}

/** Deletes the stored identity. */
export function removeIdentity(): Promise<boolean> {
  return run('remove', () => call(api().identity.remove({ confirm: true })));
}

/** Clears the shown error. */
export function clearIdentityError(): void {
  identityStore.setState({ error: null });
}

/** True when the identity holds the admin role (the PKI tab is shown only then). */
export function isAdmin(status: IdentityStatus | null): boolean {
  return (
    !!status &&
    (status.isAdmin || status.roles.includes('admin')) &&
    (status.state === 'ready' || status.state === 'locked')
  );
}
