// SLO rollback policies through the API, and Alertmanager webhook payloads sent by hand (issue 16).
import type { Harness } from './backtrack.harness.js';

/** Health source → monitored service → SLO → rollback policy for `serviceId` on `infrastructureId`; their ids. */
export async function sloPolicy(
  h: Harness,
  options: {
    serviceId: string;
    infrastructureId: string;
    prometheusUrl?: string;
    name?: string;
    windowMinutes?: number;
    condition?: unknown;
    targetPercent?: number;
  },
): Promise<{ healthSourceId: string; monitoredServiceId: string; sloId: string; policyId: string }> {
  const name = options.name ?? 'checkout';
  const post = async (route: string, body: unknown) => {
    const res = await h.api('POST', route, { body });
    if (res.status !== 201) throw new Error(`${route} refused: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const healthSourceId = await post('/api/health-sources', {
    name: `prometheus for ${name}`,
    url: options.prometheusUrl ?? 'http://127.0.0.1:9',
  });
  const monitoredServiceId = await post('/api/monitored-services', {
    serviceId: options.serviceId,
    infrastructureId: options.infrastructureId,
  });
  const sloId = await post('/api/slos', {
    monitoredServiceId,
    healthSourceId,
    name: `${name} availability`,
    goodQuery: `sum(increase(http_requests_total{service="${name}",code!~"5.."}[$window]))`,
    validQuery: `sum(increase(http_requests_total{service="${name}"}[$window]))`,
    targetPercent: options.targetPercent ?? 99.5,
    periodDays: 30,
  });
  const policyId = await post('/api/rollback-policies', {
    sloId,
    name: `${name} burn`,
    condition: options.condition ?? { type: 'burnRateAbove', rate: 14.4, windowMinutes: 5 },
    windowMinutes: options.windowMinutes ?? 60,
  });
  return { healthSourceId, monitoredServiceId, sloId, policyId };
}

/** An Alertmanager version 4 webhook body with one alert, as `notify/webhook` sends it. */
export function alertPayload(alert: {
  status?: 'firing' | 'resolved';
  labels: Record<string, string>;
  startsAt: Date;
  fingerprint: string;
  annotations?: Record<string, string>;
}) {
  const status = alert.status ?? 'firing';
  const labels = { alertname: 'ErrorBudgetBurn', ...alert.labels };
  return {
    version: '4',
    groupKey: `{}:{alertname="${labels.alertname}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'backtrack',
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: alert.annotations ?? {},
    externalURL: 'http://alertmanager.invalid',
    alerts: [
      {
        status,
        labels,
        annotations: alert.annotations ?? {},
        startsAt: alert.startsAt.toISOString(),
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
        generatorURL: 'http://prometheus.invalid/graph',
        fingerprint: alert.fingerprint,
      },
    ],
  };
}
