/**
 * A vessel's own reports to the ROC, signed like its acks so a console (or the CA) believes only the vessel:
 *
 * - `helmlink-alert+jwt` on `helmlink/v1/vessels/{id}/alert` (QoS 1, not retained): `{ iss, iat, jti, kind, code,
 *   message }`, kind from VESSEL_ALERT_KINDS, code a registered error code, message ≤ 500 printable characters.
 * - `helmlink-link+jwt` retained on `helmlink/v1/vessels/{id}/link`: `{ iss, iat, jti, link }`. `up` is published
 *   on every connection; `down` is signed at connect time and handed to the broker as the MQTT Last Will, so the
 *   broker publishes it when the vessel's connection is lost (keepalive timeout, reset): its `iat` is the start of
 *   the session that was lost, not the time of the loss (the console notes when it received it).
 *
 * Neither has an audience or an expiry: they are reports, not orders; a replay shows an old report, which the
 * console orders by `iat`.
 */
import { HelmlinkError } from '../errors';
import { isErrorCode, type ErrorCode } from '../vocabulary/errors';
import {
  isVesselAlertKind,
  LINK_STATUSES,
  MAX_ALERT_MESSAGE_LENGTH,
  type LinkStatus,
  type VesselAlertKind,
} from '../vocabulary/vessel-alerts';
import type { Clock } from '../clock';
import { checkTimes, numericDateClaim, requireClaims, stringClaim, uuidClaim } from './claims';
import { openEnvelope, rejectUnknownClaims, requireRole, resolve, type VerifyOptions } from './open';
import { signToken, type Signer } from './sign';
import { TYP_ALERT, TYP_LINK, type TokenTyp, type VerifiedToken } from './types';

export interface AlertClaims {
  iss: string;
  iat: number;
  jti: string;
  kind: VesselAlertKind;
  code: ErrorCode;
  message: string;
}

export interface LinkClaims {
  iss: string;
  iat: number;
  jti: string;
  link: LinkStatus;
}

export interface VerifyVesselEventOptions extends VerifyOptions {
  /** The vessel named by the topic: the token's signer and `iss`. */
  vesselId: string;
}

// Printable text only: an alert is shown to operators and forwarded to webhooks.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/gu;

/** An alert message as carried: control characters replaced, at most MAX_ALERT_MESSAGE_LENGTH characters. */
export function alertMessage(text: string): string {
  return text.replace(CONTROL_CHARS, ' ').slice(0, MAX_ALERT_MESSAGE_LENGTH);
}

function baseClaims(signer: Signer, clock: Clock): { iss: string; iat: number; jti: string } {
  return { iss: signer.entityId, iat: Math.floor(clock() / 1000), jti: globalThis.crypto.randomUUID() };
}

/** Signs a vessel alert. @throws TypeError for an unknown kind or an unregistered code (caller bugs). */
export async function signAlert(
  signer: Signer,
  o: { clock: Clock; kind: VesselAlertKind; code: ErrorCode; message: string },
): Promise<{ token: string; claims: AlertClaims }> {
  if (!isVesselAlertKind(o.kind)) throw new TypeError(`unknown alert kind ${String(o.kind)}`);
  if (!isErrorCode(o.code)) throw new TypeError(`unregistered error code ${String(o.code)}`);
  const claims: AlertClaims = {
    ...baseClaims(signer, o.clock),
    kind: o.kind,
    code: o.code,
    message: alertMessage(o.message),
  };
  return { token: await signToken(signer, TYP_ALERT, claims), claims };
}

/** Signs a link status (`down` for the Last Will, `up` once connected). */
export async function signLink(
  signer: Signer,
  o: { clock: Clock; link: LinkStatus },
): Promise<{ token: string; claims: LinkClaims }> {
  if (!LINK_STATUSES.includes(o.link)) throw new TypeError(`unknown link status ${String(o.link)}`);
  const claims: LinkClaims = { ...baseClaims(signer, o.clock), link: o.link };
  return { token: await signToken(signer, TYP_LINK, claims), claims };
}

/** Envelope, signer role vessel = the topic's vessel, iss, iat not in the future, no unknown claims. */
async function openVesselEvent(
  token: string | Uint8Array,
  typ: TokenTyp,
  names: readonly string[],
  options: VerifyVesselEventOptions,
) {
  const r = resolve(options);
  const env = await openEnvelope(token, typ, r, options.trust);
  const c = env.payload;
  requireClaims(c, names);
  rejectUnknownClaims(c, names);
  const iss = stringClaim(c, 'iss');
  const iat = numericDateClaim(c, 'iat');
  const jti = uuidClaim(c, 'jti');
  if (iss !== env.signer.info.entityId)
    throw new HelmlinkError('ERR_ISS_MISMATCH', `iss ${iss} is not the signer ${env.signer.info.entityId}`);
  checkTimes({ iat }, { now: r.nowMs / 1000, toleranceSeconds: r.tolerance, maxLifetimeSeconds: undefined });
  requireRole(env.signer, 'vessel');
  if (env.signer.info.entityId !== options.vesselId)
    throw new HelmlinkError(
      'ERR_ISS_MISMATCH',
      `the token is signed by ${env.signer.info.entityId}, not by ${options.vesselId}`,
    );
  return { env, c, base: { iss, iat, jti } };
}

const invalid = (claim: string, what: string) =>
  new HelmlinkError('ERR_CLAIM_INVALID', `${claim} must be ${what}`, { details: { claim } });

/** Verifies a vessel alert published on `vesselId`'s alert topic. */
export async function verifyAlert(
  token: string | Uint8Array,
  options: VerifyVesselEventOptions,
): Promise<VerifiedToken<AlertClaims>> {
  const names = ['iss', 'iat', 'jti', 'kind', 'code', 'message'] as const;
  const { env, c, base } = await openVesselEvent(token, TYP_ALERT, names, options);
  if (!isVesselAlertKind(c.kind)) throw invalid('kind', 'a registered vessel alert kind');
  if (!isErrorCode(c.code)) throw invalid('code', 'a registered error code');
  const message = c.message;
  if (typeof message !== 'string' || message !== alertMessage(message))
    throw invalid('message', `printable text of at most ${MAX_ALERT_MESSAGE_LENGTH} characters`);
  const claims: AlertClaims = { ...base, kind: c.kind, code: c.code, message };
  return { token: env.text, header: env.header, claims, signer: env.signer.info };
}

/** Verifies a vessel link status published on `vesselId`'s link topic. */
export async function verifyLink(
  token: string | Uint8Array,
  options: VerifyVesselEventOptions,
): Promise<VerifiedToken<LinkClaims>> {
  const { env, c, base } = await openVesselEvent(token, TYP_LINK, ['iss', 'iat', 'jti', 'link'], options);
  if (!LINK_STATUSES.includes(c.link as LinkStatus)) throw invalid('link', '"up" or "down"');
  const claims: LinkClaims = { ...base, link: c.link as LinkStatus };
  return { token: env.text, header: env.header, claims, signer: env.signer.info };
}
