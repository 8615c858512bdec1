/** The demo topology's options, progress events and handle (`startTopology` in topology.ts). */
import type { Role } from '@helmlink/protocol';
import type { CaServer, TokenRequest } from '@helmlink/ca-server';
import type { VesselIdentity } from '@helmlink/vessel';
import type { VesselProcess } from './vessel-process';
import type { ConsoleServer, ConsoleServices, Keychain } from '@helmlink/app-main';
import type { DemoPerson, DemoVessel } from './fleet';

export type BrokerKind = 'mosquitto' | 'embedded' | 'external';

/** One progress line of the start-up (the demo prints them; tests may log them). */
export interface ProgressEvent {
  step: 'pki' | 'ca' | 'broker' | 'vessels' | 'pilot' | 'console' | 'stop';
  message: string;
}

export interface TopologyOptions {
  /** Where everything is kept (created when missing, reused otherwise). */
  dataDir: string;
  /** Start over: delete `dataDir` first. */
  reset?: boolean;
  /** Ports; 0 or absent = a free port picked by the OS. An explicit port that is taken fails with ERR_PORT_IN_USE. */
  ports?: { ca?: number; mqtt?: number; console?: number };
  /**
   * `auto` (default): Mosquitto when installed, otherwise the embedded broker. `{ url }`: a broker you run
   * (mqtts://host:port) configured with the material the CA writes to dataDir/broker (certificate, CA bundle, CRL,
   * ACL, mosquitto.conf); the topology keeps those files current but does not signal the broker.
   */
  broker?: Exclude<BrokerKind, 'external'> | 'auto' | { url: string };
  vessels?: readonly DemoVessel[];
  /** The console's identity; enrolled and unlocked before the console opens (unless `console.enroll` is false). */
  pilot?: DemoPerson;
  /**
   * The console: `false` = none; otherwise its web bridge is started. `enroll: false` leaves the console without
   * an identity (the first-run wizard shows), e.g. for a test that enrolls through the UI. `rendererDir`: the
   * built console page (default app/renderer/dist, from `npm run build`).
   */
  console?: false | { enroll?: boolean; keychain?: Keychain | null; rendererDir?: string };
  /** Interval between simulated samples per ON stream (default 1000 ms). */
  simulateIntervalMs?: number;
  /** How often the embedded broker's access control follows the CA store (default 1000 ms; Mosquitto follows at once). */
  aclPollMs?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Log level of the in-process components (default `warn`), written to dataDir/logs/demo.log. */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
}

/** A demo vessel: its listener process (`helmlink vessel run`) and the identity it was started with. */
export type DemoVesselHandle = VesselProcess & { identity: VesselIdentity };

export interface VesselSummary {
  id: string;
  name: string;
  imo: string;
  mmsi: string;
  flag: string;
  serial: string;
  streams: number;
}

export interface Topology {
  dataDir: string;
  broker: { kind: BrokerKind; version: string; url: string; port: number };
  urls: { ca: string; mqtt: string; console?: string };
  ports: { ca: number; mqtt: number; console?: number };
  identities: {
    organization: string;
    rootFingerprint: string;
    caService: string;
    brokerSerial: string;
    vessels: VesselSummary[];
    pilot: { id: string; roles: Role[]; enrolled: boolean; serial?: string; passphrase: string };
  };
  ca: CaServer;
  /** The running vessel listeners (a revoked vessel is not among them). */
  vessels: Map<string, DemoVesselHandle>;
  console?: ConsoleServer;
  consoleServices?: ConsoleServices;
  /** Creates a one-time enrollment token (as the CA CLI would). */
  createToken(req: TokenRequest): { token: string; expiresAt: string };
  /**
   * Brings the broker up to date with the CA store now (CRL reloaded, identities applied, revoked sessions cut); the
   * CA does this by itself after every change, so this mostly waits for it.
   */
  syncBroker(): Promise<void>;
  /** Stops everything started here, in reverse order. Safe to call twice. */
  stop(): Promise<void>;
}
