import { z } from 'zod';
import type { Breach } from './rollback-decision.js';

/**
 * The body Alertmanager's webhook receiver posts (version "4", docs/platform-apis.md §6.2). Fields Alertmanager adds
 * in later versions (`notification_reason`, `routeLabels`, …) are let through; what Backtrack reads must be there.
 */
const Alert = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).optional(),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.string().optional(),
  fingerprint: z.string().min(1).max(200),
});

export const AlertmanagerPayload = z.looseObject({
  version: z.literal('4'),
  groupKey: z.string(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  alerts: z.array(Alert).max(1000),
});
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;
export type AlertmanagerAlert = AlertmanagerPayload['alerts'][number];

/** Which monitored service an alert is about: its labels `service`, `environment`, `infrastructure` (and `slo`). */
export interface AlertTarget {
  service: string;
  environment: string;
  infrastructure: string | null;
  slo: string | null;
}

/** The labels that select the policy, or the sentence saying which is missing. */
export function alertTarget(alert: AlertmanagerAlert): AlertTarget | { problem: string } {
  const missing = ['service', 'environment'].filter((l) => !alert.labels[l]?.trim());
  if (missing.length)
    return {
      problem: `The alert has no ${missing.map((l) => `"${l}"`).join(' or ')} label: add it to the alerting rule (labels service, environment and, when the service runs on more than one infrastructure there, infrastructure).`,
    };
  return {
    service: alert.labels.service!.trim(),
    environment: alert.labels.environment!.trim(),
    infrastructure: alert.labels.infrastructure?.trim() || null,
    slo: alert.labels.slo?.trim() || null,
  };
}

/** The breach an alert reports. */
export function alertBreach(alert: AlertmanagerAlert): Breach {
  return {
    source: 'alertmanager',
    status: alert.status,
    fingerprint: alert.fingerprint,
    startsAt: new Date(alert.startsAt),
  };
}

/** The alert in one phrase for decisions and logs: `Alertmanager alert "ErrorBudgetBurn" (fingerprint 1a2b, …)`. */
export function describeAlert(alert: AlertmanagerAlert): string {
  const name = alert.labels.alertname ?? '(no alertname)';
  return `Alertmanager alert "${name}" (${alert.status}, fingerprint ${alert.fingerprint}, started ${new Date(alert.startsAt).toISOString()})`;
}

/** The alert's annotations and labels in words, for the job's log ("value=20.1, summary=…"). */
export function alertValues(alert: AlertmanagerAlert): string {
  const annotations = Object.entries(alert.annotations ?? {}).map(([k, v]) => `${k}=${v}`);
  const labels = Object.entries(alert.labels).map(([k, v]) => `${k}=${v}`);
  return [...annotations, `labels {${labels.join(', ')}}`].join(', ');
}
