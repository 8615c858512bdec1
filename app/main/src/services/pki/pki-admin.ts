/**
 * PKI administration for admin-role identities: HTTPS with mutual TLS (the console's admin certificate) to the CA
 * admin endpoints (`/ca/v1/certs`, `/revoke`, `/release`, `/tokens`, `/crl`, `/alerts`). No passwords cross the
 * network; the CA authorises by the certificate's role. Responses are mapped to the contract's views, accepting
 * both snake_case and camelCase field names.
 */
import 'reflect-metadata';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError, crlNumberOf, isRole, parseCrls, type Role, type Clock } from '@helmlink/protocol';
import type {
  AlertView,
  CrlView,
  EnrollmentTokenView,
  IssuedCertificateView,
  certFilterSchema,
  createTokenRequestSchema,
  revokeRequestSchema,
} from '@helmlink/app-preload';
import type { z } from 'zod';
import type { AuditLog } from '../audit/audit-log';
import type { CaClient } from '@helmlink/ca-client';
import { consoleCaClient } from '../ca/console-ca';
import type { IdentityService } from '../identity/identity-service';

type Obj = Record<string, unknown>;
const pick = (o: Obj, ...names: string[]): unknown =>
  names.map((n) => o[n]).find((v) => v !== undefined && v !== null);
const str = (o: Obj, ...names: string[]): string | null => {
  const v = pick(o, ...names);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
};
const num = (o: Obj, ...names: string[]): number | null => {
  const v = pick(o, ...names);
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/u.test(v) ? Number(v) : null;
};
const iso = (o: Obj, ...names: string[]): string | null => {
  const v = pick(o, ...names);
  if (typeof v === 'number') return new Date(v > 1e12 ? v : v * 1000).toISOString();
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  return null;
};
const listOf = (body: unknown, ...names: string[]): Obj[] => {
  if (Array.isArray(body)) return body as Obj[];
  if (body && typeof body === 'object') {
    const inner = pick(body as Obj, ...names);
    if (Array.isArray(inner)) return inner as Obj[];
  }
  throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA answered with an unexpected shape');
};

const STATUS: Record<string, IssuedCertificateView['status']> = {
  valid: 'valid',
  good: 'valid',
  active: 'valid',
  issued: 'valid',
  revoked: 'revoked',
  hold: 'on_hold',
  on_hold: 'on_hold',
  onhold: 'on_hold',
  certificatehold: 'on_hold',
  expired: 'expired',
};

/** Maps one certificate record of the CA. */
export function certificateRecord(o: Obj): IssuedCertificateView {
  const status = (str(o, 'status') ?? 'valid').toLowerCase().replace(/[\s-]/gu, '_');
  const entityId = str(o, 'entityId', 'entity_id', 'subject_cn', 'cn') ?? '';
  // The CA server lists `roles` (an array); a single `role` is accepted too.
  const listed = Array.isArray(o.roles) ? o.roles.filter((r): r is Role => isRole(r)) : [];
  const single = str(o, 'role');
  const roles = listed.length > 0 ? listed : isRole(single) ? [single] : [];
  return {
    serial: (str(o, 'serial', 'serialNumber', 'serial_number') ?? '').toLowerCase(),
    entityId,
    role: roles[0] ?? 'pilot',
    roles,
    subject: str(o, 'subject') ?? `CN=${entityId}`,
    status: STATUS[status] ?? STATUS[status.replace(/_/gu, '')] ?? 'valid',
    notBefore: iso(o, 'notBefore', 'not_before') ?? new Date(0).toISOString(),
    notAfter: iso(o, 'notAfter', 'not_after') ?? new Date(0).toISOString(),
    revokedAt: iso(o, 'revokedAt', 'revoked_at', 'revocationTime', 'revocation_time'),
    reasonCode: num(o, 'reasonCode', 'reason_code', 'reason', 'revocationReason', 'revocation_reason'),
    reasonDescription: str(
      o,
      'reasonDescription',
      'description',
      'revocation_description',
      'revocationDescription',
    ),
    fingerprintSha256: str(o, 'fingerprintSha256', 'fingerprint_sha256', 'fingerprint'),
  };
}

/** Maps one alert of the CA. */
export function alertView(a: Obj, index: number, now: Date): AlertView {
  const sev = (str(a, 'severity', 'level') ?? 'warning').toLowerCase();
  const details = (pick(a, 'details', 'data') ?? {}) as Obj;
  return {
    id: str(a, 'id') ?? String(index),
    at: iso(a, 'at', 'time', 'createdAt', 'created_at', 'timestamp', 'ts') ?? now.toISOString(),
    kind: str(a, 'kind', 'type', 'event') ?? 'alert',
    severity: sev === 'critical' || sev === 'info' ? sev : 'warning',
    message: str(a, 'message', 'text', 'summary') ?? '',
    details: Object.fromEntries(
      Object.entries(details).filter(
        (e): e is [string, string | number | boolean | null] =>
          ['string', 'number', 'boolean'].includes(typeof e[1]) || e[1] === null,
      ),
    ),
  };
}

/** The view of a CRL. */
export function crlView(crl: x509.X509Crl, fetchedAt: Date): CrlView {
  const crlNumber = String(crlNumberOf(crl) ?? '');
  return {
    issuer: crl.issuer,
    crlNumber,
    thisUpdate: crl.thisUpdate.toISOString(),
    nextUpdate: crl.nextUpdate?.toISOString() ?? null,
    entries: crl.entries.map((e) => ({
      serial: e.serialNumber.toLowerCase(),
      revokedAt: e.revocationDate.toISOString(),
      reasonCode: e.reason ?? null,
    })),
    fetchedAt: fetchedAt.toISOString(),
  };
}

export interface PkiAdminOptions {
  identity: IdentityService;
  clock: Clock;
  audit?: AuditLog;
  timeoutMs?: number;
}

/** The PKI administration client. Every call needs an unlocked admin identity (ERR_CONSOLE_NOT_ADMIN otherwise). */
export class PkiAdmin {
  readonly #o: PkiAdminOptions;

  constructor(options: PkiAdminOptions) {
    this.#o = options;
  }

  async #client(): Promise<{ ca: CaClient; actor: string }> {
    const status = this.#o.identity.status();
    if (status.state === 'none') throw new HelmlinkError('ERR_IDENTITY_MISSING');
    if (!status.isAdmin) throw new HelmlinkError('ERR_CONSOLE_NOT_ADMIN');
    if (!status.caUrl) throw new HelmlinkError('ERR_SETTINGS_MISSING', 'the CA URL is not set');
    const signer = await this.#o.identity.signer();
    return {
      ca: consoleCaClient({
        url: status.caUrl,
        root: signer.root,
        tls: signer.tls(),
        timeoutMs: this.#o.timeoutMs,
      }),
      actor: signer.entityId,
    };
  }

  /** Issued certificates, filtered by role, status and expiry. */
  async certs(filter: z.output<typeof certFilterSchema>): Promise<IssuedCertificateView[]> {
    const { ca } = await this.#client();
    const q = new URLSearchParams();
    if (filter.role) q.set('role', filter.role);
    // The CA filters valid | hold | revoked and takes the expiry window in seconds; "expired" is filtered here.
    if (filter.status && filter.status !== 'expired')
      q.set('status', filter.status === 'on_hold' ? 'hold' : filter.status);
    if (filter.expiringWithinDays) q.set('expiring_within', String(filter.expiringWithinDays * 86_400));
    const qs = q.toString();
    const body = await ca.json<unknown>('GET', `/ca/v1/certs${qs ? `?${qs}` : ''}`);
    const list = listOf(body, 'certificates', 'certs', 'items').map(certificateRecord);
    if (filter.status !== 'expired') return list;
    const now = this.#o.clock();
    return list.filter(
      (c) => c.status === 'expired' || (c.status === 'valid' && Date.parse(c.notAfter) < now),
    );
  }

  /** Revokes with an RFC 5280 reason. */
  async revoke(req: z.output<typeof revokeRequestSchema>): Promise<IssuedCertificateView> {
    const { ca, actor } = await this.#client();
    const body = await ca.json<Obj>('POST', '/ca/v1/revoke', {
      serial: req.serial.toLowerCase(),
      reason: req.reasonCode,
      ...(req.description ? { description: req.description } : {}),
    });
    this.#o.audit?.append({
      kind: 'pki.revoke',
      actor,
      verdict: 'revoked',
      message: `serial ${req.serial} reason ${req.reasonCode}`,
    });
    return certificateRecord((pick(body, 'certificate', 'cert') as Obj | undefined) ?? body);
  }

  /** Releases a certificate from hold (removeFromCRL). */
  async release(serial: string): Promise<IssuedCertificateView> {
    const { ca, actor } = await this.#client();
    const body = await ca.json<Obj>('POST', '/ca/v1/release', { serial: serial.toLowerCase() });
    this.#o.audit?.append({ kind: 'pki.release', actor, verdict: 'released', message: `serial ${serial}` });
    return certificateRecord((pick(body, 'certificate', 'cert') as Obj | undefined) ?? body);
  }

  /** Creates a one-time enrollment token (returned once, never stored or logged here). */
  async createToken(req: z.output<typeof createTokenRequestSchema>): Promise<EnrollmentTokenView> {
    const { ca, actor } = await this.#client();
    const body = await ca.json<Obj>('POST', '/ca/v1/tokens', {
      entityId: req.entityId,
      roles: [req.role],
      ...(req.ttlMinutes ? { ttlSeconds: Math.max(60, req.ttlMinutes * 60) } : {}),
      ...(req.name ? { name: req.name } : {}),
      ...(req.imo ? { imo: req.imo } : {}),
      ...(req.mmsi ? { mmsi: req.mmsi } : {}),
      ...(req.flag ? { flag: req.flag } : {}),
    });
    const token = str(body, 'token');
    if (!token) throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA returned no token');
    this.#o.audit?.append({
      kind: 'pki.token',
      actor,
      verdict: 'created',
      message: `enrollment token for ${req.role} ${req.entityId}`,
    });
    return {
      token,
      entityId: str(body, 'entityId', 'entity_id') ?? req.entityId,
      role: (str(body, 'role') ?? req.role) as Role,
      expiresAt:
        iso(body, 'expiresAt', 'expires_at') ??
        new Date(this.#o.clock() + (req.ttlMinutes ?? 60) * 60_000).toISOString(),
    };
  }

  /** The issuing CA's current CRL. */
  async crl(): Promise<CrlView> {
    const { ca } = await this.#client();
    const res = await ca.raw('GET', '/ca/v1/crl');
    if (res.status !== 200)
      throw new HelmlinkError('ERR_CA_RESPONSE', `the CA answered with HTTP ${res.status}`);
    const text = res.body.toString('latin1');
    const [crl] = text.includes('-----BEGIN') ? parseCrls(text) : parseCrls(new Uint8Array(res.body));
    if (!crl) throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA returned no CRL');
    return crlView(crl, new Date(this.#o.clock()));
  }

  /** Alerts raised by the CA (rate limits, token reuse, invalid CSRs, revocations), newest first. */
  async alerts(query: { since?: string; limit?: number }): Promise<AlertView[]> {
    const { ca } = await this.#client();
    // The CA pages by alert id; a time filter is applied here.
    const body = await ca.json<unknown>('GET', `/ca/v1/alerts?limit=${query.limit ?? 200}`);
    const since = query.since ? Date.parse(query.since) : undefined;
    return listOf(body, 'alerts', 'items')
      .map((a, i) => alertView(a, i, new Date(this.#o.clock())))
      .filter((a) => since === undefined || Date.parse(a.at) >= since);
  }

  /**
   * Polls the CA's alerts while an unlocked admin identity is present and pushes each new one as `pki.alert`.
   * The first poll only learns what already exists. Returns the function that stops polling.
   */
  startAlertPolling(emit: (alert: AlertView) => void, intervalMs = 30_000): () => void {
    const seen = new Set<string>();
    let primed = false;
    let running = false;
    const poll = async () => {
      const st = this.#o.identity.status();
      if (running || !st.isAdmin || st.state !== 'ready' || !st.unlocked) return;
      running = true;
      try {
        const list = await this.alerts({ limit: 100 });
        for (const a of [...list].reverse()) {
          if (seen.has(a.id)) continue;
          seen.add(a.id);
          if (primed) emit(a);
        }
        primed = true;
      } catch {
        // The CA may be unreachable for a while; the next poll retries.
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void poll(), intervalMs);
    timer.unref();
    void poll();
    return () => clearInterval(timer);
  }
}
