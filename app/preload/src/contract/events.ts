/** Push events (main → renderer) and their payloads. */
import type { AuditEntry } from './audit';
import type { CommandView } from './commands';
import type { ConnectionStatus, FleetChanges, RatesSnapshot, VesselAlertView, VesselView } from './fleet';
import type { EnrollProgressEvent, IdentityStatus } from './identity';
import type { AlertView } from './pki';
import type { SettingsView } from './settings';

/** Every push event and its payload. */
export interface EventMap {
  'identity.changed': IdentityStatus;
  'identity.enrollProgress': EnrollProgressEvent;
  'settings.changed': SettingsView;
  /** The whole list, at most once a second (prefer `fleet.changed`). */
  'fleet.vessels': VesselView[];
  /** Batched changes of single vessels (see FLEET_CHANGES_INTERVAL_MS). */
  'fleet.changed': FleetChanges;
  'fleet.connection': ConnectionStatus;
  'fleet.rates': RatesSnapshot;
  /** The recent vessel alerts, newest first, whenever one arrives. */
  'fleet.alerts': VesselAlertView[];
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
  'fleet.changed',
  'fleet.connection',
  'fleet.rates',
  'fleet.alerts',
  'commands.status',
  'audit.appended',
  'pki.alert',
] as const satisfies readonly EventName[];

export type Listener<E extends EventName> = (payload: EventMap[E]) => void;
export type Unsubscribe = () => void;
