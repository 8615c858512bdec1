import type { HelmlinkApi, Unsubscribe } from '@helmlink/app-preload';
import { bindApi } from '../api/current';
import { applyAuditEntry } from './audit';
import { applyCommand, loadCommands } from './commands';
import { applyBrokerStatus, loadConnection } from './connection';
import {
  applyFleetChanges,
  applyRates,
  applyVesselAlerts,
  applyVessels,
  loadFleet,
  loadVesselAlerts,
} from './fleet';
import { applyEnrollProgress, applyIdentityStatus, loadIdentity } from './identity';
import { applyAlert } from './pki';
import { applySettings, loadSettings } from './settings';

/**
 * Binds the API, subscribes every store to its push events and loads the initial state.
 * Returns a function that removes the subscriptions.
 */
export async function startStores(helmlink: HelmlinkApi): Promise<Unsubscribe> {
  bindApi(helmlink);
  const subs: Unsubscribe[] = [
    helmlink.identity.onChanged(applyIdentityStatus),
    helmlink.identity.onEnrollProgress(applyEnrollProgress),
    helmlink.settings.onChanged(applySettings),
    helmlink.fleet.onVessels(applyVessels),
    helmlink.fleet.onChanged(applyFleetChanges),
    helmlink.fleet.onConnection(applyBrokerStatus),
    helmlink.fleet.onRates(applyRates),
    helmlink.fleet.onAlerts(applyVesselAlerts),
    helmlink.commands.onStatus(applyCommand),
    helmlink.audit.onAppended(applyAuditEntry),
    helmlink.pki.onAlert(applyAlert),
  ];
  await loadAll();
  return () => {
    for (const off of subs) off();
  };
}

/** Reloads what depends on the transport after the web bridge reconnects. */
export async function reloadStores(): Promise<void> {
  await loadAll();
}

/** Loads every store's initial state. */
async function loadAll(): Promise<void> {
  await Promise.all([
    loadIdentity(),
    loadSettings(),
    loadConnection(),
    loadFleet(),
    loadCommands(),
    loadVesselAlerts(),
  ]);
}
