/**
 * Keeps the vessel's CRLs current: fetched over HTTPS from the CA every `crl.refreshSeconds`, taken from the
 * retained MQTT CRL topic whenever the broker delivers one, saved to `crl.pem`, and checked for freshness (an
 * alert once when the CRL of the vessel's issuer is past nextUpdate + grace, again after it recovered).
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { decodePem, isHelmlinkError, topics, type Clock } from '@helmlink/protocol';
import type { VesselConfig } from '../config';
import { fetchCrls } from '../identity/ca-client';
import { saveCrls, type VesselIdentity } from '../identity/files';
import type { RaiseAlert, VesselStatus } from '../listener/types';
import { crlNumber, type CrlCache } from './crls';

export interface CrlKeeperOptions {
  config: VesselConfig;
  crls: CrlCache;
  /** The vessel's current identity (swapped on renewal). */
  identity: () => VesselIdentity;
  clock: Clock;
  log: Logger;
  /** Receives `crl` events ({ crlNumber, source }). */
  events: EventEmitter;
  alert: RaiseAlert;
}

export class CrlKeeper {
  readonly #o: CrlKeeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #staleAlerted = false;

  constructor(options: CrlKeeperOptions) {
    this.#o = options;
  }

  /** Starts the HTTPS refresh loop (the first fetch at once). */
  start(): void {
    const { log, config } = this.#o;
    this.refresh()
      .catch((err: Error) =>
        log.info({ err: err.message }, 'CRL refresh over HTTPS failed (offline?); using the cached CRL'),
      )
      .finally(() => {
        this.checkFreshness();
        if (this.#stopped) return;
        this.#timer = setTimeout(() => this.start(), config.crl.refreshSeconds * 1000);
        this.#timer.unref?.();
      });
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** Fetches the CRLs over HTTPS now; true when a newer one was accepted. */
  async refresh(): Promise<boolean> {
    const { config, crls } = this.#o;
    const fetched = await fetchCrls({
      url: config.ca.url,
      rootFingerprint: config.ca.rootFingerprint,
      timeoutMs: config.ca.timeoutMs,
      root: this.#o.identity().root,
    });
    let accepted = false;
    for (const crl of fetched) {
      const r = await crls.offer(crl);
      if (r.accepted) {
        accepted = true;
        this.#accepted(r.crlNumber, r.issuer, 'https');
      }
    }
    if (accepted) await saveCrls(config.dataDir, crls.crls());
    return accepted;
  }

  /** Handles a message on the retained CRL topic (PEM or DER; empty = the retained CRL was cleared). */
  async onMessage(message: Buffer | string): Promise<void> {
    const payload = Buffer.isBuffer(message) ? message : Buffer.from(message);
    if (payload.length === 0) return; // keep the cached one
    const text = payload.toString('utf8');
    // The broker hands the retained CRL over again on every (re)connection: the one already held was verified when
    // it was accepted, so the same bytes are not parsed and verified again (a fleet reconnecting after a broker
    // restart would spend that work 500 times for nothing).
    const pem = text.includes('-----BEGIN');
    if (this.#holds(pem ? text : payload)) return;
    const result = await this.#o.crls.offer(pem ? text : new Uint8Array(payload));
    if (result.accepted) {
      await saveCrls(this.#o.config.dataDir, this.#o.crls.crls());
      this.#accepted(result.crlNumber, result.issuer, 'mqtt');
    } else if (result.code !== 'ERR_CRL_NOT_NEWER') {
      this.#o.alert({
        kind: 'crl-rejected',
        code: result.code,
        message: `CRL from ${topics.crl()} refused: ${result.reason}`,
      });
    }
  }

  /** Whether `payload` (PEM or DER) is exactly one CRL already held, byte for byte. */
  #holds(payload: string | Buffer): boolean {
    let der: Uint8Array;
    if (typeof payload === 'string') {
      let blocks;
      try {
        blocks = decodePem(payload);
      } catch {
        return false;
      }
      if (blocks.length !== 1) return false;
      der = blocks[0]!.der;
    } else der = payload;
    const offered = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
    return this.#o.crls.crls().some((held) => offered.equals(held.raw));
  }

  /** Alerts once when the CRL of the vessel's issuer is stale or missing. */
  checkFreshness(): void {
    const { config, crls, clock } = this.#o;
    try {
      crls.assertFresh(this.#o.identity().certificate, clock(), config.crl.graceSeconds);
      this.#staleAlerted = false;
    } catch (err) {
      if (this.#staleAlerted) return;
      this.#staleAlerted = true;
      const message = (err as Error).message;
      this.#o.alert({
        kind: 'crl-stale',
        code: isHelmlinkError(err) ? err.code : 'ERR_CRL_STALE',
        message: config.crl.failClosed
          ? `${message}: commands are rejected until a newer CRL arrives`
          : `${message} (failClosed is off)`,
      });
    }
  }

  /** The CRL of the vessel's issuer, for `status`. */
  status(): VesselStatus['crl'] {
    const { config, crls, clock } = this.#o;
    const cert = this.#o.identity().certificate;
    const crl = crls.forIssuerOf(cert);
    const now = clock();
    let stale = false;
    try {
      crls.assertFresh(cert, now, config.crl.graceSeconds);
    } catch {
      stale = true;
    }
    return {
      number: crl ? crlNumber(crl) : undefined,
      thisUpdate: crl && new Date(crl.thisUpdate).toISOString(),
      nextUpdate: crl?.nextUpdate === undefined ? undefined : new Date(crl.nextUpdate).toISOString(),
      ageSeconds: crl ? Math.round((now - crl.thisUpdate) / 1000) : undefined,
      stale,
    };
  }

  #accepted(crlNumber: number | undefined, issuer: string, source: 'https' | 'mqtt'): void {
    this.#o.log.info({ crlNumber, issuer, source }, 'CRL updated');
    this.#o.events.emit('crl', { crlNumber, source });
  }
}
