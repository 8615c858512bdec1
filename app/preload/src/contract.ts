/**
 * The one typed IPC contract between the console's renderer and its main side (GitHub Desktop `ipc-shared.ts`
 * style). Every request channel has a name, a zod schema for its payload and a response type; every push event
 * has a name and a payload type. Both transports speak exactly this contract:
 *
 * - Electron: `app/preload/src/preload.ts` exposes {@link HelmlinkApi} as `window.helmlink` through one
 *   `contextBridge` object; the main side (`app/main/src/ipc/`) checks the sender frame and validates the payload
 *   with {@link channels}[name].request before any service code runs.
 * - Web bridge (`helmlink console --web`): the renderer's WebSocket client implements the same
 *   {@link HelmlinkApi} over {@link WS_PATH} with the {@link WireClientMessage}/{@link WireServerMessage} frames;
 *   the server validates with the same schemas and dispatches to the same router.
 *
 * Rules the contract encodes:
 * - No generic send/invoke: the API is a fixed set of methods grouped by feature.
 * - Secrets only ever flow inward (a passphrase the user types, an identity file the user imports); private keys,
 *   data keys and passphrases are never returned. The one outward secret is a freshly created enrollment token,
 *   shown once to the administrator who asked for it.
 * - Results are values, never thrown across the bridge: every method resolves to an {@link ApiResult}
 *   (Electron's contextBridge drops custom error properties such as `code`). Use {@link unwrap} to get the value
 *   or an {@link ApiError} with the stable code.
 *
 * Runtime-neutral: zod, types and the pure protocol vocabulary only (no `node:*`, no electron, no DOM).
 * Stability: channels and fields are only ever added; optional request fields keep old callers valid.
 */
import { z } from 'zod';
import {
  ENROLLABLE_ROLES,
  ENTITY_ID_PATTERN,
  ENTITY_ID_RULE,
  JWS_ALGORITHMS,
  MARITIME_RULES,
  REVOCATION_REASON_LIST,
  ROLES,
  isValidFlag,
  isValidImoNumber,
  isValidMmsi,
  type ErrorCode,
  type RevocationReasonCode,
  type Role,
} from '@helmlink/protocol/vocabulary';

// ------------------------------------------------------------------------------------------------------------
// Shared primitives
// ------------------------------------------------------------------------------------------------------------

/** Contract version; bumped only on an incompatible change (never planned). */
export const CONTRACT_VERSION = 1;

/** The entity-id rule of the CA (protocol vocabulary), so the console never submits an id the CA refuses. */
export const entityIdSchema = z.string().regex(ENTITY_ID_PATTERN, ENTITY_ID_RULE);

/** An IPv4 multicast group and port, `239.192.0.4:60004` (the stream address of the command spec). */
export const streamAddressSchema = z
  .string()
  .regex(
    /^(22[4-9]|23\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d):([1-9]\d{0,4})$/u,
    'must be an IPv4 multicast group and port (group:port)',
  )
  .refine((s) => Number(s.split(':')[1]) <= 65535, 'port must be 1-65535');

/** SHA-256 fingerprint, 64 hex digits, colons and case tolerated (normalised by the main side). */
export const fingerprintSchema = z
  .string()
  .transform((s) => s.replace(/[:\s]/gu, '').toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/u, 'must be a SHA-256 fingerprint (64 hex digits)'));

/** Certificate serial number, hex. */
export const serialSchema = z.string().regex(/^[0-9a-fA-F]{1,64}$/u, 'must be a hex serial number');

export const httpsUrlSchema = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'must be an https:// URL');
export const brokerUrlSchema = z
  .string()
  .url()
  .refine((u) => /^(mqtts|wss):\/\//u.test(u), 'must be an mqtts:// or wss:// URL');

/** Where the private key's protection comes from. */
export const CUSTODY_MODES = ['keychain', 'passphrase'] as const;
export type CustodyMode = (typeof CUSTODY_MODES)[number];

/** Streams whose switching off needs an explicit confirmation (navigation-critical, IEC 61162-450 names). */
export const CRITICAL_STREAM_NAMES = ['TGTD', 'NAVD'] as const;

/** RFC 5280 CRLReason codes a revocation may carry (8 = removeFromCRL is the release operation, not a reason). */
export const revocationReasonSchema = z.union(
  REVOCATION_REASON_LIST.map((r) => z.literal(r.code)),
) as unknown as z.ZodType<RevocationReasonCode>;

/** ISO 8601 / RFC 3339 timestamp string (UTC). All times in the contract are such strings. */
export type IsoTime = string;

const empty = z.object({}).strict();

// ------------------------------------------------------------------------------------------------------------
// Result and error shapes
// ------------------------------------------------------------------------------------------------------------

/** A coded error safe to show: `code` is stable (protocol/src/errors.ts), `message` is words for people. */
export interface ApiErrorInfo {
  code: ErrorCode;
  message: string;
  /** Technical detail, shown one click away (never secrets). */
  detail?: string;
  /** For ERR_IPC_PAYLOAD_INVALID: which fields failed. */
  issues?: { path: string; message: string }[];
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorInfo };

/** The error {@link unwrap} throws; carries the stable code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly issues: { path: string; message: string }[] | undefined;
  constructor(info: ApiErrorInfo) {
    super(info.message);
    this.code = info.code;
    this.detail = info.detail;
    this.issues = info.issues;
  }
}

/** Returns the value of a result or throws an {@link ApiError}. */
export function unwrap<T>(result: ApiResult<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(result.error);
}

// ------------------------------------------------------------------------------------------------------------
// Views (response and event payload types). Plain JSON: strings, numbers, booleans, arrays, objects.
// ------------------------------------------------------------------------------------------------------------

/** A certificate as shown to people (public data only). */
export interface CertificateView {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: IsoTime;
  notAfter: IsoTime;
  /** SHA-256 over the DER, lower-case hex. */
  fingerprintSha256: string;
  keyAlgorithm: string;
  signatureAlgorithm: string;
  isCa: boolean;
  /** Entity id and roles under the Helmlink profile, when the certificate follows it. */
  entityId: string | null;
  roles: Role[];
  pem: string;
}

export type RevocationStatus = 'good' | 'revoked' | 'on_hold' | 'unknown';

/** A certificate a peer presented (the broker in the TLS handshake, a vessel in its signed state/acks). */
export interface PeerCertificateView {
  /** Leaf first, then intermediates, then the root when known. */
  chain: CertificateView[];
  /** True when the chain validated to our pinned root for the expected purpose. */
  verified: boolean;
  revocation: RevocationStatus;
  /** Why it did not verify (coded), null when verified. */
  error: ApiErrorInfo | null;
  checkedAt: IsoTime;
}

// --- identity ---

export const ENROLL_STEPS = [
  { id: 'check-ca', label: 'Contact the CA and check its root fingerprint' },
  { id: 'generate-key', label: 'Generate the private key on this computer' },
  { id: 'create-csr', label: 'Create the certificate request' },
  { id: 'request-certificate', label: 'Send the request with the enrollment token' },
  { id: 'verify-certificate', label: 'Verify the issued certificate' },
  { id: 'store-identity', label: 'Store the key protected' },
] as const;
export type EnrollStepId = (typeof ENROLL_STEPS)[number]['id'];

export interface EnrollProgressEvent {
  step: EnrollStepId;
  status: 'running' | 'done' | 'failed';
  /** 0-based index into ENROLL_STEPS and the total, for a progress bar. */
  index: number;
  total: number;
  at: IsoTime;
  error: ApiErrorInfo | null;
}

export type IdentityState =
  /** No identity yet: show the enrollment wizard / import. */
  | 'none'
  /** Identity stored, key protected by a passphrase not entered yet: signing asks for it. */
  | 'locked'
  /** Identity usable. */
  | 'ready'
  /** Certificate expired: renewal impossible, enroll again. */
  | 'expired'
  /** The stored key cannot be opened (keychain unavailable or entry missing); `error` says why. */
  | 'unavailable';

export interface KeychainAvailability {
  available: boolean;
  /** Backend name, e.g. "Secret Service", "macOS Keychain", "Windows Credential Manager". */
  backend: string | null;
  /** Why not, in words, when unavailable. */
  reason: string | null;
}

export interface CustodyOptions {
  keychain: KeychainAvailability;
  /** Passphrase-only custody is always possible. */
  passphraseOnly: true;
}

export interface RenewalView {
  state: 'idle' | 'scheduled' | 'renewing' | 'failed';
  auto: boolean;
  /** 2/3 of the certificate lifetime. */
  dueAt: IsoTime | null;
  lastAttemptAt: IsoTime | null;
  lastRenewedAt: IsoTime | null;
  lastError: ApiErrorInfo | null;
}

export interface IdentityStatus {
  state: IdentityState;
  custody: CustodyMode | null;
  /** A passphrase is needed before signing (passphrase custody, or keychain + passphrase on top). */
  passphraseRequired: boolean;
  unlocked: boolean;
  entityId: string | null;
  roles: Role[];
  isAdmin: boolean;
  /** Leaf certificate. */
  certificate: CertificateView | null;
  /** Issuer chain above the leaf (intermediates, root). */
  chain: CertificateView[];
  expiresAt: IsoTime | null;
  /** Banner level before expiry (settings.expiryWarningDays). */
  expiryWarning: 'none' | 'soon' | 'urgent' | 'expired';
  renewal: RenewalView;
  caUrl: string | null;
  rootFingerprint: string | null;
  error: ApiErrorInfo | null;
}

// --- settings ---

export const THEMES = ['system', 'light', 'dark', 'night'] as const;
export type Theme = (typeof THEMES)[number];

export interface SettingsView {
  brokerUrl: string | null;
  caUrl: string | null;
  rootFingerprint: string | null;
  theme: Theme;
  /** How long a command may stay pending before it is "timed out". */
  commandTimeoutSeconds: number;
  /** Command token lifetime (exp - iat); max 300 by protocol. */
  commandLifetimeSeconds: number;
  autoRenew: boolean;
  expiryWarningDays: number;
  confirmCriticalStreams: boolean;
  /** Connect to the broker on start when an identity is ready. */
  autoConnect: boolean;
}

// --- fleet ---

export interface CatalogStreamView {
  id: string;
  name: string;
  kind: string;
  /** group:port */
  address: string;
  /** Nominal bitrate in bits per second. */
  bitrateBps: number;
  /** Switching it off needs a confirmation (CRITICAL_STREAM_NAMES). */
  critical: boolean;
}

export interface StreamStateView extends CatalogStreamView {
  on: boolean;
}

export interface VesselView {
  vesselId: string;
  /** True only when the retained state token verified (signature, chain to our root, role vessel, CRL). */
  verified: boolean;
  /** Set when the last state could not be verified: flagged, never displayed as truth. */
  unverified: { code: string; message: string; receivedAt: IsoTime } | null;
  /** Verified state; null when none verified yet. */
  streams: StreamStateView[];
  /** jti of the last command the vessel applied (from its state). */
  lastAppliedCommandId: string | null;
  stateIssuedAt: IsoTime | null;
  stateReceivedAt: IsoTime | null;
  /** The vessel's signer certificate (from the state token's x5c). */
  signer: PeerCertificateView | null;
  /** Total nominal bitrate of the streams currently on, bits per second. */
  activeBitrateBps: number;
}

export interface StreamRate {
  vesselId: string;
  streamId: string;
  /** Messages per second over the last window. */
  messagesPerSecond: number;
  lastMessageAt: IsoTime | null;
}

export interface RatesSnapshot {
  at: IsoTime;
  windowSeconds: number;
  rates: StreamRate[];
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'error';

export interface ConnectionStatus {
  state: ConnectionState;
  brokerUrl: string | null;
  since: IsoTime | null;
  /** e.g. "TLSv1.3" */
  tlsVersion: string | null;
  cipher: string | null;
  mqttVersion: 4 | 5 | null;
  /** The broker's certificate as presented in the handshake. */
  broker: PeerCertificateView | null;
  lastError: ApiErrorInfo | null;
}

// --- commands ---

export type CommandState = 'pending' | 'applied' | 'rejected' | 'timed_out' | 'failed';

export interface CommandView {
  commandId: string;
  vesselId: string;
  on: string[];
  off: string[];
  state: CommandState;
  sentAt: IsoTime;
  settledAt: IsoTime | null;
  /** Send to verified ack, milliseconds. */
  rttMs: number | null;
  /** For rejected / failed / timed_out: stable code and words. */
  reason: { code: string; message: string } | null;
  /** True when the ack signature and chain verified (always true for applied/rejected). */
  ackVerified: boolean;
}

// --- audit ---

export const AUDIT_KINDS = [
  'command.sent',
  'command.timeout',
  'ack.verified',
  'ack.unverified',
  'state.verified',
  'state.unverified',
  'identity.enrolled',
  'identity.imported',
  'identity.renewed',
  'identity.removed',
  'pki.revoke',
  'pki.release',
  'pki.token',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditEntry {
  id: number;
  at: IsoTime;
  kind: AuditKind;
  vesselId: string | null;
  commandId: string | null;
  actor: string | null;
  /** applied, rejected, accepted, invalid, timed_out, ok ... */
  verdict: string;
  code: string | null;
  message: string | null;
  /** The signed token (command, ack or state JWS) as sent or received; public, signed data. */
  token: string | null;
  rttMs: number | null;
}

export const auditQuerySchema = z
  .object({
    text: z.string().max(200).optional(),
    vesselId: entityIdSchema.optional(),
    commandId: z.string().max(128).optional(),
    kinds: z.array(z.enum(AUDIT_KINDS)).max(AUDIT_KINDS.length).optional(),
    verdict: z.string().max(32).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.int().min(1).max(1000).optional(),
    offset: z.int().min(0).optional(),
  })
  .strict();
export type AuditQuery = z.input<typeof auditQuerySchema>;

// --- pki admin ---

export type CertificateStatus = 'valid' | 'revoked' | 'on_hold' | 'expired';

export interface IssuedCertificateView {
  serial: string;
  entityId: string;
  role: Role;
  subject: string;
  status: CertificateStatus;
  notBefore: IsoTime;
  notAfter: IsoTime;
  revokedAt: IsoTime | null;
  reasonCode: number | null;
  reasonDescription: string | null;
  fingerprintSha256: string | null;
}

export interface EnrollmentTokenView {
  /** The one-time token: shown once, never stored by the console. */
  token: string;
  entityId: string;
  role: Role;
  expiresAt: IsoTime;
}

export interface CrlView {
  issuer: string;
  crlNumber: string;
  thisUpdate: IsoTime;
  nextUpdate: IsoTime | null;
  entries: { serial: string; revokedAt: IsoTime; reasonCode: number | null }[];
  fetchedAt: IsoTime;
}

export interface AlertView {
  id: string;
  at: IsoTime;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  details: Record<string, string | number | boolean | null>;
}

// --- app ---

export interface AppInfo {
  version: string;
  contractVersion: number;
  transport: 'electron' | 'web';
  platform: string;
}

// ------------------------------------------------------------------------------------------------------------
// Request schemas
// ------------------------------------------------------------------------------------------------------------

const passphraseSchema = z.string().min(1).max(1024);

export const enrollRequestSchema = z
  .object({
    caUrl: httpsUrlSchema,
    rootFingerprint: fingerprintSchema,
    token: z.string().min(8).max(4096),
    /** The entity id the token was issued for (becomes the certificate CN). */
    entityId: entityIdSchema,
    keyAlgorithm: z.enum(JWS_ALGORITHMS).optional(),
    custody: z.enum(CUSTODY_MODES),
    /** Required for custody "passphrase"; optional extra protection for "keychain". */
    passphrase: passphraseSchema.optional(),
    /** Saved to settings when given. */
    brokerUrl: brokerUrlSchema.optional(),
  })
  .strict()
  .refine((r) => r.custody !== 'passphrase' || r.passphrase !== undefined, {
    message: 'a passphrase is required for passphrase-only custody',
    path: ['passphrase'],
  });

export const importRequestSchema = z
  .discriminatedUnion('format', [
    z
      .object({
        format: z.literal('pkcs12'),
        /** The .p12/.pfx file, base64. */
        fileBase64: z
          .string()
          .min(4)
          .max(1_000_000)
          .regex(/^[A-Za-z0-9+/=\s]+$/u),
        /** The file's own passphrase. */
        filePassphrase: z.string().max(1024),
        custody: z.enum(CUSTODY_MODES),
        passphrase: passphraseSchema.optional(),
        caUrl: httpsUrlSchema.optional(),
        rootFingerprint: fingerprintSchema.optional(),
      })
      .strict(),
    z
      .object({
        format: z.literal('pem'),
        /** Encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`). */
        keyPem: z.string().min(32).max(100_000),
        /** Leaf certificate first, then the issuer chain (root optional). */
        chainPem: z.string().min(32).max(200_000),
        filePassphrase: z.string().max(1024),
        custody: z.enum(CUSTODY_MODES),
        passphrase: passphraseSchema.optional(),
        caUrl: httpsUrlSchema.optional(),
        rootFingerprint: fingerprintSchema.optional(),
      })
      .strict(),
  ])
  .refine((r) => r.custody !== 'passphrase' || r.passphrase !== undefined, {
    message: 'a passphrase is required for passphrase-only custody',
    path: ['passphrase'],
  });

export const settingsPatchSchema = z
  .object({
    brokerUrl: brokerUrlSchema.nullable(),
    caUrl: httpsUrlSchema.nullable(),
    rootFingerprint: fingerprintSchema.nullable(),
    theme: z.enum(THEMES),
    commandTimeoutSeconds: z.int().min(1).max(600),
    commandLifetimeSeconds: z.int().min(5).max(300),
    autoRenew: z.boolean(),
    expiryWarningDays: z.int().min(1).max(365),
    confirmCriticalStreams: z.boolean(),
    autoConnect: z.boolean(),
  })
  .partial()
  .strict();

export const commandIntentSchema = z
  .object({
    vesselId: entityIdSchema,
    on: z.array(streamAddressSchema).max(256),
    off: z.array(streamAddressSchema).max(256),
  })
  .strict();
export type CommandIntent = z.infer<typeof commandIntentSchema>;

export const certFilterSchema = z
  .object({
    role: z.enum(ROLES).optional(),
    status: z.enum(['valid', 'revoked', 'on_hold', 'expired']).optional(),
    expiringWithinDays: z.int().min(1).max(3650).optional(),
  })
  .strict();

export const revokeRequestSchema = z
  .object({
    serial: serialSchema,
    reasonCode: revocationReasonSchema,
    description: z.string().max(500).optional(),
  })
  .strict();

export const createTokenRequestSchema = z
  .object({
    entityId: entityIdSchema,
    role: z.enum(ENROLLABLE_ROLES),
    ttlMinutes: z
      .int()
      .min(1)
      .max(60 * 24 * 30)
      .optional(),
    imo: z.string().refine(isValidImoNumber, MARITIME_RULES.imo).optional(),
    mmsi: z.string().refine(isValidMmsi, MARITIME_RULES.mmsi).optional(),
    flag: z.string().refine(isValidFlag, MARITIME_RULES.flag).optional(),
  })
  .strict();

// ------------------------------------------------------------------------------------------------------------
// The channel map
// ------------------------------------------------------------------------------------------------------------

/** One request channel: its name, payload schema and (phantom) response type. */
export interface ChannelSpec<S extends z.ZodType, R> {
  readonly name: string;
  readonly request: S;
  /** Type-level only; always undefined at run time. */
  readonly response?: R;
}

function channel<R>(): <S extends z.ZodType>(name: string, request: S) => ChannelSpec<S, R> {
  return (name, request) => ({ name, request });
}

/**
 * Every request channel. Keys are `feature.operation`; `name` equals the key and is the Electron IPC channel
 * (prefixed with {@link IPC_PREFIX}) and the web bridge `channel` field.
 */
export const channels = {
  // app
  'app.info': channel<AppInfo>()('app.info', empty),

  // identity
  'identity.status': channel<IdentityStatus>()('identity.status', empty),
  'identity.custodyOptions': channel<CustodyOptions>()('identity.custodyOptions', empty),
  /** Runs the whole wizard; emits `identity.enrollProgress` per step; resolves with the new status. */
  'identity.enroll': channel<IdentityStatus>()('identity.enroll', enrollRequestSchema),
  'identity.import': channel<IdentityStatus>()('identity.import', importRequestSchema),
  /** Manual renewal over mTLS (re-key). */
  'identity.renew': channel<IdentityStatus>()('identity.renew', empty),
  /** Enter the passphrase; kept in main memory until lock or quit. */
  'identity.unlock': channel<IdentityStatus>()(
    'identity.unlock',
    z.object({ passphrase: passphraseSchema }).strict(),
  ),
  'identity.lock': channel<IdentityStatus>()('identity.lock', empty),
  /** Deletes the stored identity (key, keychain entry, certificates). */
  'identity.remove': channel<IdentityStatus>()(
    'identity.remove',
    z.object({ confirm: z.literal(true) }).strict(),
  ),

  // settings
  'settings.get': channel<SettingsView>()('settings.get', empty),
  'settings.update': channel<SettingsView>()('settings.update', settingsPatchSchema),

  // fleet
  'fleet.vessels': channel<VesselView[]>()('fleet.vessels', empty),
  'fleet.vessel': channel<VesselView | null>()(
    'fleet.vessel',
    z.object({ vesselId: entityIdSchema }).strict(),
  ),
  'fleet.rates': channel<RatesSnapshot>()('fleet.rates', empty),
  'fleet.connection': channel<ConnectionStatus>()('fleet.connection', empty),
  'fleet.connect': channel<ConnectionStatus>()('fleet.connect', empty),
  'fleet.disconnect': channel<ConnectionStatus>()('fleet.disconnect', empty),

  // commands
  /** Builds, signs and publishes a streams.set command from the intent; resolves with the pending command. */
  'commands.send': channel<CommandView>()('commands.send', commandIntentSchema),
  'commands.list': channel<CommandView[]>()(
    'commands.list',
    z.object({ vesselId: entityIdSchema.optional(), limit: z.int().min(1).max(1000).optional() }).strict(),
  ),

  // audit
  'audit.search': channel<{ entries: AuditEntry[]; total: number }>()('audit.search', auditQuerySchema),
  /** JSON Lines (one AuditEntry per line) of the matching entries, for a download/save. */
  'audit.export': channel<{ filename: string; jsonl: string; count: number }>()(
    'audit.export',
    auditQuerySchema,
  ),

  // pki admin (admin-role identities only; others get ERR_CONSOLE_NOT_ADMIN)
  'pki.certs': channel<IssuedCertificateView[]>()('pki.certs', certFilterSchema),
  'pki.revoke': channel<IssuedCertificateView>()('pki.revoke', revokeRequestSchema),
  /** Release a certificateHold (RFC 5280 removeFromCRL). */
  'pki.release': channel<IssuedCertificateView>()('pki.release', z.object({ serial: serialSchema }).strict()),
  'pki.createToken': channel<EnrollmentTokenView>()('pki.createToken', createTokenRequestSchema),
  'pki.crl': channel<CrlView>()('pki.crl', empty),
  'pki.alerts': channel<AlertView[]>()(
    'pki.alerts',
    z
      .object({
        since: z.iso.datetime({ offset: true }).optional(),
        limit: z.int().min(1).max(1000).optional(),
      })
      .strict(),
  ),
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type RequestOf<C extends ChannelName> = z.input<Channels[C]['request']>;
export type ParsedRequestOf<C extends ChannelName> = z.output<Channels[C]['request']>;
export type ResponseOf<C extends ChannelName> =
  NonNullable<Channels[C]['response']> extends never ? null : Exclude<Channels[C]['response'], undefined>;

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

/** True when `name` is a channel of the contract. */
export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

// ------------------------------------------------------------------------------------------------------------
// Push events (main → renderer)
// ------------------------------------------------------------------------------------------------------------

/** Every push event and its payload. */
export interface EventMap {
  'identity.changed': IdentityStatus;
  'identity.enrollProgress': EnrollProgressEvent;
  'settings.changed': SettingsView;
  'fleet.vessels': VesselView[];
  'fleet.connection': ConnectionStatus;
  'fleet.rates': RatesSnapshot;
  'commands.status': CommandView;
  'audit.appended': AuditEntry;
  'pki.alert': AlertView;
}
export type EventName = keyof EventMap;

export const EVENT_NAMES = [
  'identity.changed',
  'identity.enrollProgress',
  'settings.changed',
  'fleet.vessels',
  'fleet.connection',
  'fleet.rates',
  'commands.status',
  'audit.appended',
  'pki.alert',
] as const satisfies readonly EventName[];

export type Listener<E extends EventName> = (payload: EventMap[E]) => void;
export type Unsubscribe = () => void;

// ------------------------------------------------------------------------------------------------------------
// The API the renderer uses as `window.helmlink`
// ------------------------------------------------------------------------------------------------------------

/** A method for a request channel: no argument when the request is `{}`. */
export type Invoke<C extends ChannelName> = keyof RequestOf<C> extends never
  ? () => Promise<ApiResult<ResponseOf<C>>>
  : Record<string, never> extends RequestOf<C>
    ? (request?: RequestOf<C>) => Promise<ApiResult<ResponseOf<C>>>
    : (request: RequestOf<C>) => Promise<ApiResult<ResponseOf<C>>>;

/** Subscribe to a push event; returns the unsubscribe function. */
export type Subscribe<E extends EventName> = (listener: Listener<E>) => Unsubscribe;

/** `window.helmlink`: one object grouped by feature. Implemented by the preload (Electron) and the web bridge client. */
export interface HelmlinkApi {
  app: {
    info: Invoke<'app.info'>;
  };
  identity: {
    status: Invoke<'identity.status'>;
    custodyOptions: Invoke<'identity.custodyOptions'>;
    enroll: Invoke<'identity.enroll'>;
    import: Invoke<'identity.import'>;
    renew: Invoke<'identity.renew'>;
    unlock: Invoke<'identity.unlock'>;
    lock: Invoke<'identity.lock'>;
    remove: Invoke<'identity.remove'>;
    onChanged: Subscribe<'identity.changed'>;
    onEnrollProgress: Subscribe<'identity.enrollProgress'>;
  };
  settings: {
    get: Invoke<'settings.get'>;
    update: Invoke<'settings.update'>;
    onChanged: Subscribe<'settings.changed'>;
  };
  fleet: {
    vessels: Invoke<'fleet.vessels'>;
    vessel: Invoke<'fleet.vessel'>;
    rates: Invoke<'fleet.rates'>;
    connection: Invoke<'fleet.connection'>;
    connect: Invoke<'fleet.connect'>;
    disconnect: Invoke<'fleet.disconnect'>;
    onVessels: Subscribe<'fleet.vessels'>;
    onConnection: Subscribe<'fleet.connection'>;
    onRates: Subscribe<'fleet.rates'>;
  };
  commands: {
    send: Invoke<'commands.send'>;
    list: Invoke<'commands.list'>;
    onStatus: Subscribe<'commands.status'>;
  };
  audit: {
    search: Invoke<'audit.search'>;
    export: Invoke<'audit.export'>;
    onAppended: Subscribe<'audit.appended'>;
  };
  pki: {
    certs: Invoke<'pki.certs'>;
    revoke: Invoke<'pki.revoke'>;
    release: Invoke<'pki.release'>;
    createToken: Invoke<'pki.createToken'>;
    crl: Invoke<'pki.crl'>;
    alerts: Invoke<'pki.alerts'>;
    onAlert: Subscribe<'pki.alert'>;
  };
}

// ------------------------------------------------------------------------------------------------------------
// Transports
// ------------------------------------------------------------------------------------------------------------

/**
 * Web bridge WebSocket path, same origin as the page. The server authenticates the socket with the session
 * cookie set when the page was opened with the one-time token, and checks Origin and Host.
 */
export const WS_PATH = '/api/ws';

/** Client → server frame. `id` correlates the result. */
export const wireClientMessageSchema = z
  .object({
    type: z.literal('invoke'),
    id: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    channel: z.string().max(64),
    payload: z.unknown(),
  })
  .strict();
export type WireClientMessage = z.infer<typeof wireClientMessageSchema>;

/** Server → client frames: the result of an invoke, or a push event. */
export type WireServerMessage =
  | { type: 'result'; id: number; result: ApiResult<unknown> }
  | { type: 'event'; event: EventName; payload: unknown }
  | { type: 'hello'; contractVersion: number };

/** Largest frame either side accepts (a PKCS#12 import is the biggest request). */
export const WIRE_MAX_BYTES = 2 * 1024 * 1024;

// The API-to-channel tables and IPC channel names live in a zod-free module so the sandboxed preload bundle stays small.
export * from './api-map';
