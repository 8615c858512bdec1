/** The managed broker's life as alerts: a death, each restart, a failed restart, a takeover. */
import type { AlertSink } from '../authority/alerts';
import type { BrokerEvent, ManagedMosquitto } from './mosquitto';

/** The alert for one event, or undefined for events that need none. */
export function brokerEventAlert(event: BrokerEvent): Parameters<AlertSink['raise']> | undefined {
  switch (event.type) {
    case 'adopted':
      return [
        'broker_adopted',
        'info',
        `took over the managed Mosquitto (pid ${event.pid}) an earlier run left running; its sessions are kept`,
        { pid: event.pid },
      ];
    case 'exited':
      return [
        'broker_restarted',
        'critical',
        `the managed Mosquitto (pid ${event.pid ?? '?'}) exited (${event.signal ?? `code ${event.code ?? '?'}`}); restarting it`,
        { pid: event.pid, code: event.code, signal: event.signal },
      ];
    case 'restarted':
      return [
        'broker_restarted',
        'info',
        `the managed Mosquitto runs again (pid ${event.pid ?? '?'}, attempt ${event.attempt})`,
        { pid: event.pid, attempt: event.attempt },
      ];
    case 'restart-failed':
      return [
        'broker_restarted',
        'critical',
        `the managed Mosquitto did not start again (attempt ${event.attempt}): ${event.error.message}`,
        { attempt: event.attempt, error: event.error.message },
      ];
    default:
      return undefined;
  }
}

/** Raises the alerts of `broker`'s events until the returned function is called. */
export function alertBrokerEvents(broker: ManagedMosquitto, alerts: AlertSink): () => void {
  const listener = (event: BrokerEvent): void => {
    const alert = brokerEventAlert(event);
    if (alert) alerts.raise(...alert);
  };
  broker.on('event', listener);
  return () => broker.off('event', listener);
}
