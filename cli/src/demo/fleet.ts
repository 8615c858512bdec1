/**
 * The demo fleet: three simulated vessels with realistic identities (IMO numbers with valid check digits, MMSIs with
 * the flag state's maritime identification digits) and IEC 61162-450 catalogs plus camera streams, and the demo
 * pilot, who is also a PKI administrator.
 */
import {
  IEC_61162_450_STREAMS,
  EXAMPLE_MEDIA_STREAMS,
  isValidImoNumber,
  isValidMmsi,
  type Role,
  type StreamCatalog,
} from '@helmlink/protocol';

export interface DemoVessel {
  /** Entity id, certificate CN and topic level: `IMO` + the IMO number. */
  id: string;
  name: string;
  imo: string;
  mmsi: string;
  /** ISO 3166-1 alpha-2 flag state. */
  flag: string;
  /** Every stream starts on (the listener's first state); the pilot switches them. */
  catalog: StreamCatalog;
}

export interface DemoPerson {
  id: string;
  name: string;
  roles: Role[];
}

const media = (id: string) => {
  const s = EXAMPLE_MEDIA_STREAMS.find((m) => m.id === id);
  if (!s) throw new TypeError(`no example stream ${id}`);
  return { ...s };
};
const iec = () => IEC_61162_450_STREAMS.map((s) => ({ ...s }));

const vessel = (v: Omit<DemoVessel, 'id'>): DemoVessel => {
  if (!isValidImoNumber(v.imo)) throw new TypeError(`invalid IMO number ${v.imo}`);
  if (!isValidMmsi(v.mmsi)) throw new TypeError(`invalid MMSI ${v.mmsi}`);
  return { id: `IMO${v.imo}`, ...v };
};

/** The three demo vessels (fictional ships; numbers chosen to pass the IMO check digit). */
export const DEMO_VESSELS: readonly DemoVessel[] = Object.freeze([
  vessel({
    name: 'MV Nordic Tern',
    imo: '9074729',
    mmsi: '257123450',
    flag: 'NO',
    catalog: { streams: [...iec(), media('CAM-BOW')] },
  }),
  vessel({
    name: 'MV Skagen Pioneer',
    imo: '9305556',
    mmsi: '219004512',
    flag: 'DK',
    catalog: { streams: [...iec(), media('CAM-BOW'), media('CAM-BRIDGE')] },
  }),
  vessel({
    name: 'MV Waddenzee Trader',
    imo: '9176187',
    mmsi: '244650123',
    flag: 'NL',
    catalog: { streams: [...iec(), media('CAM-BOW'), media('RADAR-X')] },
  }),
]);

/** The demo pilot: signs commands and administers the PKI from the console. */
export const DEMO_PILOT: DemoPerson = Object.freeze({
  id: 'pilot-demo',
  name: 'Demo pilot',
  roles: ['pilot', 'admin'] as Role[],
});
