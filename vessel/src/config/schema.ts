/**
 * The vessel configuration file: one JSON document, validated with zod. Every field is documented in
 * docs/vessel.md and resources/vessel.example.json. Relative paths are resolved against the config file's folder.
 */
import { z } from 'zod';
import {
  DEFAULT_STATE_LIFETIME_SECONDS,
  ENTITY_ID_RULE,
  JWS_ALGORITHMS,
  MAX_STATE_LIFETIME_SECONDS,
  KEY_SPECS,
  RENEWAL_AT_FRACTION,
  isEntityId,
  streamCatalogSchema,
  IEC_61162_450_CATALOG,
  DEFAULT_CATALOG,
  type StreamCatalog,
} from '@helmlink/protocol';

const fingerprint = z
  .string()
  .transform((s) =>
    s
      .replace(/^sha256:/iu, '')
      .replace(/:/gu, '')
      .toLowerCase(),
  )
  .refine(
    (s) => /^[0-9a-f]{64}$/u.test(s),
    'must be a SHA-256 fingerprint: 64 hex digits, optionally colon-separated',
  );

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * Where the key passphrase comes from: an environment variable, a file (its first line, without the line ending), or a systemd credential
 * (LoadCredential=NAME:SOURCE in the unit; read from $CREDENTIALS_DIRECTORY/NAME).
 */
const passphraseSchema = z
  .object({
    env: z.string().min(1).optional(),
    file: z.string().min(1).optional(),
    credential: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/u, 'must be a systemd credential name (letters, digits, _ . -)')
      .optional(),
  })
  .strict()
  .refine(
    (p) => [p.env, p.file, p.credential].filter((v) => v !== undefined).length === 1,
    'set exactly one of env, file or credential',
  );

export const vesselConfigSchema = z
  .object({
    /** The vessel id: CN of its certificate, MQTT username and topic level. */
    vesselId: z.string().refine(isEntityId, ENTITY_ID_RULE),
    /** Folder holding the key, certificates, CRLs and persisted state. */
    dataDir: z.string().min(1),
    ca: z
      .object({
        /** Base URL of the CA server, https only. */
        url: z.url({ protocol: /^https$/u }),
        /** SHA-256 fingerprint of the fleet's root certificate: the only trust anchor. */
        rootFingerprint: fingerprint,
        /** Request timeout. */
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .strict(),
    broker: z
      .object({
        /** mqtts://host:port (mutual TLS is mandatory). */
        url: z.url({ protocol: /^mqtts$/u }),
        /** Preferred MQTT version; 5 falls back to 3.1.1 when the broker refuses 5. */
        protocolVersion: z.union([z.literal(5), z.literal(4)]).default(5),
        /** MQTT client id (default: the vessel id). */
        clientId: z.string().min(1).max(128).optional(),
        keepaliveSeconds: seconds(5, 3600).default(30),
        /** Server name to check in the broker certificate when it differs from the URL host. */
        servername: z.string().min(1).optional(),
        reconnect: z
          .object({
            initialDelayMs: z.number().int().min(50).max(60_000).default(500),
            maxDelayMs: z.number().int().min(100).max(3_600_000).default(60_000),
            /** Fraction of each delay randomised (0 = none, 1 = full jitter). */
            jitter: z.number().min(0).max(1).default(0.5),
            /** Cap of the delay while the broker's port refuses connections (its process restarting). */
            refusedMaxDelayMs: z.number().int().min(100).max(3_600_000).default(5000),
          })
          .strict()
          .default({ initialDelayMs: 500, maxDelayMs: 60_000, jitter: 0.5, refusedMaxDelayMs: 5000 }),
      })
      .strict(),
    key: z
      .object({
        /** Key algorithm for enrollment and re-keying. */
        alg: z.enum(KEY_SPECS).default('ecdsa-p256'),
        passphrase: passphraseSchema,
      })
      .strict(),
    /** "iec61162-450" (default), "default" (IEC groups + camera/radar examples), or an inline catalog. */
    catalog: z
      .union([z.literal('iec61162-450'), z.literal('default'), streamCatalogSchema])
      .default('iec61162-450'),
    /** Command signing algorithms accepted. */
    algorithms: z.array(z.enum(JWS_ALGORITHMS)).min(1).default(['ES256', 'ES384', 'EdDSA']),
    /** Allowed clock skew between pilots and this vessel, seconds. */
    clockToleranceSeconds: seconds(0, 600).default(30),
    crl: z
      .object({
        /** Seconds past a CRL's nextUpdate during which it is still used. */
        graceSeconds: seconds(0, 30 * 86_400).default(3600),
        /** Past nextUpdate + grace: true = reject every command with ERR_CRL_STALE; false = keep using the old CRL. */
        failClosed: z.boolean().default(true),
        /** How often to fetch the CRL over HTTPS. */
        refreshSeconds: seconds(10, 86_400).default(900),
      })
      .strict()
      .default({ graceSeconds: 3600, failClosed: true, refreshSeconds: 900 }),
    renewal: z
      .object({
        enabled: z.boolean().default(true),
        /** Renew when this fraction of the certificate lifetime has passed. */
        atFraction: z.number().gt(0).lt(1).default(RENEWAL_AT_FRACTION),
        /** Random spread added to the renewal time, as a fraction of the lifetime. */
        jitterFraction: z.number().min(0).max(0.2).default(0.05),
        /** Delay between failed attempts. */
        retrySeconds: seconds(1, 86_400).default(300),
        /** Alert after this many consecutive failures. */
        alertAfterFailures: z.number().int().min(1).max(1000).default(3),
      })
      .strict()
      .default({
        enabled: true,
        atFraction: RENEWAL_AT_FRACTION,
        jitterFraction: 0.05,
        retrySeconds: 300,
        alertAfterFailures: 3,
      }),
    state: z
      .object({
        /** fsync every state write (durable across power loss); false = durable across process crashes only. */
        fsync: z.boolean().default(true),
        /** Lifetime of the signed retained state token; it is re-signed at 2/3 of it. */
        lifetimeSeconds: seconds(60, MAX_STATE_LIFETIME_SECONDS).default(DEFAULT_STATE_LIFETIME_SECONDS),
      })
      .strict()
      .default({ fsync: true, lifetimeSeconds: DEFAULT_STATE_LIFETIME_SECONDS }),
    hook: z
      .object({
        /** Executable run for every command that passed verification; gets the new state as JSON on stdin. */
        command: z.string().min(1),
        args: z.array(z.string()).default([]),
        timeoutMs: z.number().int().min(10).max(300_000).default(10_000),
      })
      .strict()
      .optional(),
    redis: z
      .object({
        /** redis:// or rediss:// URL (overridden by --redis). */
        url: z.string().regex(/^rediss?:\/\//u, 'must be a redis:// or rediss:// URL'),
        /** Key prefix; the hash is {prefix}{vesselId}:state and the stream {prefix}{vesselId}:commands. */
        keyPrefix: z.string().default('helmlink:'),
        /** Approximate maximum length of the command stream. */
        streamMaxLen: z.number().int().min(1).default(10_000),
      })
      .strict()
      .optional(),
    simulate: z
      .object({
        /** Interval between samples per ON stream. */
        intervalMs: z.number().int().min(10).max(60_000).default(1000),
      })
      .strict()
      .default({ intervalMs: 1000 }),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

/** The config file as written (before defaults). */
export type VesselConfigInput = z.input<typeof vesselConfigSchema>;

/** A validated config with defaults applied, paths resolved and the catalog expanded. */
export type VesselConfig = Omit<z.output<typeof vesselConfigSchema>, 'catalog'> & {
  catalog: StreamCatalog;
  /** Absolute path of the config file (or undefined when built in code). */
  configPath?: string;
};

/** Expands the catalog shorthand. */
export function resolveCatalog(value: z.output<typeof vesselConfigSchema>['catalog']): StreamCatalog {
  if (value === 'iec61162-450') return structuredClone(IEC_61162_450_CATALOG);
  if (value === 'default') return structuredClone(DEFAULT_CATALOG);
  return value;
}
