import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { certificateFingerprint, crlToPem } from '@helmlink/protocol';
import { createTestPki } from '@helmlink/protocol/testing';
import { parseVesselConfig } from '../../src/config';
import { CrlCache } from '../../src/trust/crls';
import { CrlKeeper } from '../../src/trust/crl-keeper';
import type { VesselAlert } from '../../src/listener/types';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function keeper() {
  const pki = await createTestPki();
  const vessel = await pki.issue('MV-KEEPER', ['vessel']);
  const dataDir = mkdtempSync(join(tmpdir(), 'helmlink-crl-keeper-'));
  dirs.push(dataDir);
  const config = parseVesselConfig({
    vesselId: 'MV-KEEPER',
    dataDir,
    ca: { url: 'https://127.0.0.1:1', rootFingerprint: await certificateFingerprint(pki.root.certificate) },
    broker: { url: 'mqtts://127.0.0.1:1' },
    key: { passphrase: { env: 'UNUSED' } },
  });
  const crls = new CrlCache([pki.root.certificate, pki.issuing.certificate]);
  const events = new EventEmitter();
  const accepted: unknown[] = [];
  events.on('crl', (e) => accepted.push(e));
  const alerts: VesselAlert[] = [];
  const k = new CrlKeeper({
    config,
    crls,
    identity: () => ({ root: pki.root.certificate, certificate: vessel.certificate }) as never,
    clock: Date.now,
    log: pino({ level: 'silent' }),
    events,
    alert: (a) => void alerts.push(a as VesselAlert),
  });
  return { pki, crls, k, accepted, alerts };
}

describe('CRL keeper: the retained CRL topic', () => {
  it('accepts a newer CRL, then skips the same bytes handed over again on a reconnect (DER or PEM) without parsing them', async () => {
    const { pki, crls, k, accepted, alerts } = await keeper();
    const crl = await pki.issuingCrl([], { crlNumber: 7 });
    await k.onMessage(Buffer.from(crl.rawData));
    expect(accepted).toEqual([{ crlNumber: 7, source: 'mqtt' }]);
    const offer = vi.spyOn(crls, 'offer');
    await k.onMessage(Buffer.from(crl.rawData));
    await k.onMessage(crlToPem(crl));
    expect(offer).not.toHaveBeenCalled();
    expect(accepted).toHaveLength(1);
    // Other bytes are offered: an older CRL is refused quietly, a newer one accepted.
    await k.onMessage(crlToPem(await pki.issuingCrl([], { crlNumber: 6 })));
    await k.onMessage(Buffer.from((await pki.issuingCrl([], { crlNumber: 8 })).rawData));
    expect(offer).toHaveBeenCalledTimes(2);
    expect(accepted).toEqual([
      { crlNumber: 7, source: 'mqtt' },
      { crlNumber: 8, source: 'mqtt' },
    ]);
    expect(alerts).toEqual([]);
  });

  it('still refuses, with an alert, a forged CRL whose bytes differ from the held one', async () => {
    const { pki, k, accepted, alerts } = await keeper();
    await k.onMessage(Buffer.from((await pki.issuingCrl([], { crlNumber: 7 })).rawData));
    const other = await createTestPki();
    await k.onMessage(Buffer.from((await other.issuingCrl([], { crlNumber: 9 })).rawData));
    expect(accepted).toHaveLength(1);
    expect(alerts).toMatchObject([{ kind: 'crl-rejected', code: 'ERR_CRL_INVALID' }]);
  });
});
