/**
 * Alerts: kept in the store for the console's admin tab and posted to an optional webhook. The webhook body is
 * `{ text, ... }`, which Slack and Microsoft Teams incoming webhooks both accept; delivery is queued, retried with
 * backoff and never blocks the request that raised the alert.
 */
import type { Clock } from '@helmlink/protocol';
import type { AlertRecord, CaStore } from '../store/types';

export type AlertKind =
  | 'csr_signature_invalid'
  | 'weak_key'
  | 'token_unknown'
  | 'token_reuse'
  | 'token_expired'
  | 'subject_mismatch'
  | 'csr_refused'
  | 'rate_limited'
  | 'revocation'
  | 'client_certificate_refused'
  | 'crl_publish_failed'
  | 'crl_published'
  | 'broker_link_down'
  | 'broker_link_restored'
  | 'broker_sync_failed'
  | 'broker_restarted'
  | 'broker_adopted'
  | 'vessel_alert'
  | 'vessel_alert_rejected'
  | 'vessel_stopped'
  | 'service_identity'
  | 'audit_checkpoint';

export interface WebhookOptions {
  url: string;
  /** Delivery attempts per alert. Default 4. */
  attempts?: number;
  /** First retry delay in ms, doubled each time. Default 500. */
  backoffMs?: number;
  /** Per-attempt timeout in ms. Default 5000. */
  timeoutMs?: number;
  /** Called when an alert could not be delivered after every attempt. */
  onGiveUp?: (alert: AlertRecord, error: unknown) => void;
}

/** The JSON body posted for an alert (Slack/Teams: `text`; the rest for machines). */
export function webhookBody(alert: AlertRecord, source = 'helmlink-ca'): Record<string, unknown> {
  const icon = alert.severity === 'critical' ? '🚨' : alert.severity === 'warning' ? '⚠️' : 'ℹ️';
  return {
    text: `${icon} [${source}] ${alert.message}`,
    source,
    kind: alert.kind,
    severity: alert.severity,
    at: new Date(alert.ts).toISOString(),
    details: alert.details,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Stores alerts and delivers them to the webhook in the background. */
export class AlertSink {
  private readonly queue: AlertRecord[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: CaStore,
    private readonly clock: Clock,
    private readonly webhook?: WebhookOptions,
  ) {}

  /** Records an alert and schedules its delivery; returns at once. */
  raise(
    kind: AlertKind,
    severity: AlertRecord['severity'],
    message: string,
    details: Record<string, unknown> = {},
  ): AlertRecord {
    const alert = this.store.insertAlert({ ts: this.clock(), kind, severity, message, details });
    if (this.webhook) {
      this.queue.push(alert);
      this.running ??= this.drain().finally(() => {
        this.running = undefined;
      });
    }
    return alert;
  }

  /** Resolves when every queued alert has been delivered or given up. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    const hook = this.webhook!;
    while (this.queue.length > 0) {
      const alert = this.queue.shift()!;
      const attempts = hook.attempts ?? 4;
      let delay = hook.backoffMs ?? 500;
      let lastError: unknown;
      for (let i = 0; i < attempts; i++) {
        try {
          const res = await fetch(hook.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(webhookBody(alert)),
            signal: AbortSignal.timeout(hook.timeoutMs ?? 5000),
          });
          if (res.ok) {
            lastError = undefined;
            break;
          }
          lastError = new Error(`webhook answered ${res.status}`);
        } catch (err) {
          lastError = err;
        }
        if (i < attempts - 1) {
          await sleep(delay);
          delay *= 2;
        }
      }
      if (lastError !== undefined) hook.onGiveUp?.(alert, lastError);
    }
  }
}
