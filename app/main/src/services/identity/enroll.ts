/**
 * First-run enrollment: the key is generated here, a CSR is sent with the one-time token to the CA pinned by its
 * root fingerprint, and the issued certificate is checked before the key is sealed. Emits
 * `identity.enrollProgress` for every step of {@link ENROLL_STEPS}.
 */
import 'reflect-metadata';
import {
  DEFAULT_KEY_SPEC,
  HelmlinkError,
  exportPkcs8,
  generateKeyPair,
  createProfileCsr,
  normalizeFingerprint,
  type JwsAlgorithm,
  type KeySpec,
} from '@helmlink/protocol';
import {
  ENROLL_STEPS,
  type ApiErrorInfo,
  type EnrollStepId,
  type IdentityStatus,
  type enrollRequestSchema,
} from '@helmlink/app-preload';
import type { z } from 'zod';
import { toApiError } from '../core/errors';
import { consoleCaClient, fetchPinnedRoot } from '../ca/console-ca';
import { fingerprintOf } from './certificate-view';
import type { IdentityContext } from './context';
import { assertCustody, storeIdentity } from './custody';
import { acceptIssued } from './issued';

export type EnrollRequest = z.output<typeof enrollRequestSchema>;

const KEY_SPECS: Record<JwsAlgorithm, KeySpec> = {
  ES256: 'ecdsa-p256',
  ES384: 'ecdsa-p384',
  EdDSA: 'ed25519',
  PS256: 'rsa-3072',
};

/** Enrolls with a token. ERR_IDENTITY_EXISTS when an identity is stored; the failing step is reported with its code. */
export async function enroll(ctx: IdentityContext, req: EnrollRequest): Promise<IdentityStatus> {
  if (ctx.files) throw new HelmlinkError('ERR_IDENTITY_EXISTS');
  const o = ctx.options;
  let current: EnrollStepId = 'check-ca';
  const progress = (
    step: EnrollStepId,
    status: 'running' | 'done' | 'failed',
    error: ApiErrorInfo | null = null,
  ) => {
    current = step;
    o.events.emit('identity.enrollProgress', {
      step,
      status,
      index: ENROLL_STEPS.findIndex((s) => s.id === step),
      total: ENROLL_STEPS.length,
      at: new Date(o.clock()).toISOString(),
      error,
    });
  };
  const stage = async <T>(step: EnrollStepId, run: () => Promise<T>): Promise<T> => {
    progress(step, 'running');
    const value = await run();
    progress(step, 'done');
    return value;
  };
  try {
    const { ca, root, caChain } = await stage('check-ca', async () => {
      await assertCustody(o.keychain, req.custody);
      const pin = normalizeFingerprint(req.rootFingerprint);
      const client = consoleCaClient({ url: req.caUrl, pin, timeoutMs: o.caTimeoutMs });
      const pinned = await fetchPinnedRoot(client);
      return { ca: client, root: pinned.root, caChain: pinned.chain };
    });
    const spec = KEY_SPECS[req.keyAlgorithm ?? 'ES256'] ?? DEFAULT_KEY_SPEC;
    const { keys, pkcs8 } = await stage('generate-key', async () => {
      const pair = await generateKeyPair(spec, { extractable: true });
      return { keys: pair, pkcs8: await exportPkcs8(pair.privateKey) };
    });
    const csr = await stage('create-csr', () => createProfileCsr(req.entityId, keys));
    const res = await stage('request-certificate', () =>
      ca.json<unknown>('POST', '/ca/v1/enroll', { csr, token: req.token }),
    );
    const chain = await stage('verify-certificate', () =>
      acceptIssued(res, pkcs8, req.entityId, caChain, root, new Date(o.clock())),
    );
    await stage('store-identity', async () => {
      await storeIdentity(ctx, {
        pkcs8,
        spec,
        chain,
        root,
        custody: req.custody,
        passphrase: req.passphrase,
        caUrl: req.caUrl,
        source: 'enrolled',
      });
      o.settings.update({
        caUrl: req.caUrl,
        rootFingerprint: fingerprintOf(root),
        ...(req.brokerUrl ? { brokerUrl: req.brokerUrl } : {}),
      });
    });
    o.audit?.('identity.enrolled', req.entityId);
    o.logger.info({ entityId: req.entityId, custody: req.custody }, 'identity enrolled');
    return ctx.changed();
  } catch (err) {
    progress(current, 'failed', toApiError(err));
    throw err;
  }
}
