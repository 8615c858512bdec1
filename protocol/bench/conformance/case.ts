/**
 * The shape of a hostile-corpus case before it is written in the x509-limbo JSON layout (corpus.ts), and the
 * small helpers the case families share.
 */
import { certificateToPem, encodePem } from '../../src/pki/pem';
import { ext, type Forged, type GeneralNameSpec, OIDS } from '../../test/pki/forge';

export interface CorpusCase {
  id: string;
  description: string;
  expected: 'SUCCESS' | 'FAILURE';
  anchors: Forged[];
  intermediates?: Forged[];
  leaf: Forged;
  crls?: Uint8Array[];
  time?: Date;
  /** The extended key usage the validation asks for (none = any purpose). */
  eku?: ('serverAuth' | 'clientAuth')[];
}

export type CaseFactory = () => Promise<CorpusCase>;

/** A case in the x509-limbo layout (the fields the runner reads). */
export interface LimboCase {
  id: string;
  description: string;
  features: string[];
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  crls: string[];
  validation_time: string | null;
  extended_key_usage: string[] | null;
  expected_result: 'SUCCESS' | 'FAILURE';
}

export function toLimbo(c: CorpusCase, now: Date): LimboCase {
  return {
    id: c.id,
    description: c.description,
    features: ['helmlink-hostile'],
    trusted_certs: c.anchors.map((a) => certificateToPem(a.certificate)),
    untrusted_intermediates: (c.intermediates ?? []).map((a) => certificateToPem(a.certificate)),
    peer_certificate: certificateToPem(c.leaf.certificate),
    crls: (c.crls ?? []).map((der) => encodePem('X509 CRL', der)),
    validation_time: (c.time ?? now).toISOString(),
    extended_key_usage: c.eku ?? null,
    expected_result: c.expected,
  };
}

export const san = (...names: GeneralNameSpec[]) => ({ oid: OIDS.san, value: ext.generalNames(names) });
export const nc = (permitted?: GeneralNameSpec[], excluded?: GeneralNameSpec[], critical = true) => ({
  oid: OIDS.nc,
  critical,
  value: ext.nameConstraints(permitted, excluded),
});
export const UNKNOWN_CRITICAL = {
  oid: '1.3.6.1.4.1.55738.666.1',
  critical: true,
  value: new Uint8Array([0x05, 0x00]),
};
