/** Which broker the demo runs (Mosquitto, the embedded one, or yours) and on which ports, decided before anything starts. */
import { HelmlinkError } from '@helmlink/protocol';
import { mosquittoVersion } from '../../broker/mosquitto';
import type { BrokerKind, TopologyOptions } from '../topology-types';
import { LOCAL_HOSTS, portFor } from './run';

export interface BrokerPlan {
  /** What the caller asked for. */
  wanted: NonNullable<TopologyOptions['broker']>;
  kind: BrokerKind;
  /** Mosquitto's version when installed. */
  mosquittoVersion: string | undefined;
  /** Your broker's URL (`kind` external). */
  external: URL | undefined;
  caPort: number;
  mqttPort: number;
  mqttUrl: string;
  /** The names the broker's certificate is issued for. */
  brokerHosts: string[];
}

/**
 * Chooses the broker and the ports. TypeError for a non-mqtts external URL, ERR_TOOL_MISSING when Mosquitto is
 * asked for but not installed, ERR_PORT_IN_USE for an explicit port that is taken.
 */
export async function planBroker(options: TopologyOptions): Promise<BrokerPlan> {
  const wanted = options.broker ?? 'auto';
  const external = typeof wanted === 'object' ? new URL(wanted.url) : undefined;
  if (external && external.protocol !== 'mqtts:')
    throw new TypeError(`the broker URL must be mqtts://host:port, not ${external.href}`);
  const mqVersion = mosquittoVersion();
  if (wanted === 'mosquitto' && !mqVersion) {
    throw new HelmlinkError(
      'ERR_TOOL_MISSING',
      'mosquitto is not installed (Debian/Ubuntu: sudo apt-get install mosquitto), or use the embedded broker',
    );
  }
  const kind: BrokerKind = external
    ? 'external'
    : wanted === 'auto'
      ? mqVersion
        ? 'mosquitto'
        : 'embedded'
      : (wanted as BrokerKind);
  const caPort = await portFor(options.ports?.ca, 'CA server (--ca-port)');
  const mqttPort = external
    ? Number(external.port || 8883)
    : await portFor(options.ports?.mqtt, 'MQTT broker (--mqtt-port)');
  const mqttUrl = external ? `mqtts://${external.host}` : `mqtts://127.0.0.1:${mqttPort}`;
  const externalHost = external?.hostname.replace(/^\[|\]$/gu, '');
  const brokerHosts =
    externalHost && !LOCAL_HOSTS.includes(externalHost) ? [...LOCAL_HOSTS, externalHost] : LOCAL_HOSTS;
  return { wanted, kind, mosquittoVersion: mqVersion, external, caPort, mqttPort, mqttUrl, brokerHosts };
}
