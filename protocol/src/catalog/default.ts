/**
 * Default catalogs. IEC 61162-450 (Ethernet for maritime navigation equipment) assigns each transmission group
 * a multicast group 239.192.0.1–8 and port 60001–60008. The camera and radar-video entries are examples of the
 * bulk streams a remote pilot switches off to save satellite bandwidth.
 */
import type { StreamCatalog, StreamDescriptor } from './types';

/** The eight IEC 61162-450 transmission groups. TGTD and NAVD are marked navigation-critical. */
export const IEC_61162_450_STREAMS: readonly StreamDescriptor[] = Object.freeze([
  {
    id: 'MISC',
    name: 'Miscellaneous',
    kind: 'iec61162-450',
    address: '239.192.0.1:60001',
    bitrateBps: 64_000,
    description: 'Data not covered by another group',
  },
  {
    id: 'TGTD',
    name: 'Target data',
    kind: 'iec61162-450',
    address: '239.192.0.2:60002',
    bitrateBps: 256_000,
    critical: true,
    description: 'AIS and tracked radar targets',
  },
  {
    id: 'SATD',
    name: 'High-rate sensor data',
    kind: 'iec61162-450',
    address: '239.192.0.3:60003',
    bitrateBps: 128_000,
    description: 'Heading, attitude and other high update rate data',
  },
  {
    id: 'NAVD',
    name: 'Navigation data',
    kind: 'iec61162-450',
    address: '239.192.0.4:60004',
    bitrateBps: 128_000,
    critical: true,
    description: 'Position, speed, course and route from the INS',
  },
  {
    id: 'VDRD',
    name: 'VDR data',
    kind: 'iec61162-450',
    address: '239.192.0.5:60005',
    bitrateBps: 512_000,
    description: 'Data for the voyage data recorder',
  },
  {
    id: 'RCOM',
    name: 'Radio communication',
    kind: 'iec61162-450',
    address: '239.192.0.6:60006',
    bitrateBps: 64_000,
    description: 'Radio communication equipment',
  },
  {
    id: 'TIME',
    name: 'Time',
    kind: 'iec61162-450',
    address: '239.192.0.7:60007',
    bitrateBps: 8_000,
    description: 'Time sources',
  },
  {
    id: 'PROP',
    name: 'Proprietary',
    kind: 'iec61162-450',
    address: '239.192.0.8:60008',
    bitrateBps: 64_000,
    description: 'Proprietary and user-defined sentences',
  },
]);

/** Example bulk streams: two cameras and one radar video feed. */
export const EXAMPLE_MEDIA_STREAMS: readonly StreamDescriptor[] = Object.freeze([
  {
    id: 'CAM-BOW',
    name: 'Bow camera',
    kind: 'camera',
    address: '239.192.1.1:60101',
    bitrateBps: 4_000_000,
    description: 'H.264 video, 1080p',
  },
  {
    id: 'CAM-BRIDGE',
    name: 'Bridge camera',
    kind: 'camera',
    address: '239.192.1.2:60102',
    bitrateBps: 2_000_000,
    description: 'H.264 video, 720p',
  },
  {
    id: 'RADAR-X',
    name: 'X-band radar video',
    kind: 'radar-video',
    address: '239.192.2.1:60201',
    bitrateBps: 20_000_000,
    description: 'Raw radar video',
  },
]);

/** The IEC 61162-450 groups only. */
export const IEC_61162_450_CATALOG: StreamCatalog = { streams: IEC_61162_450_STREAMS.map((s) => ({ ...s })) };

/** The default vessel catalog: the IEC 61162-450 groups plus the media examples. */
export const DEFAULT_CATALOG: StreamCatalog = {
  streams: [...IEC_61162_450_STREAMS, ...EXAMPLE_MEDIA_STREAMS].map((s) => ({ ...s })),
};
