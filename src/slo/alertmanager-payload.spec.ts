import { describe, it, expect } from '@jest/globals';
import { alertBreach, alertTarget, alertValues, AlertmanagerPayload, describeAlert } from './alertmanager-payload.js';

const alert = {
  status: 'firing' as const,
  labels: { alertname: 'ErrorBudgetBurn', service: 'checkout', environment: 'prod', infrastructure: 'Local Cluster' },
  annotations: { value: '20.5' },
  startsAt: '2026-12-02T10:05:00.123Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus/graph',
  fingerprint: 'c0ffee',
};
const payload = {
  version: '4',
  groupKey: '{}:{alertname="ErrorBudgetBurn"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'backtrack',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager',
  alerts: [alert],
};

describe('the Alertmanager webhook payload', () => {
  it('accepts version 4 with the fields later Alertmanagers add', () => {
    const parsed = AlertmanagerPayload.safeParse({ ...payload, notification_reason: 'first notification' });
    expect(parsed.success).toBe(true);
  });

  it('refuses another version, a missing fingerprint or a bad startsAt', () => {
    expect(AlertmanagerPayload.safeParse({ ...payload, version: '3' }).success).toBe(false);
    expect(AlertmanagerPayload.safeParse({ ...payload, alerts: [{ ...alert, fingerprint: undefined }] }).success).toBe(
      false,
    );
    expect(AlertmanagerPayload.safeParse({ ...payload, alerts: [{ ...alert, startsAt: 'yesterday' }] }).success).toBe(
      false,
    );
  });

  it('reads the target from the labels, infrastructure and slo optional', () => {
    expect(alertTarget(alert)).toEqual({
      service: 'checkout',
      environment: 'prod',
      infrastructure: 'Local Cluster',
      slo: null,
    });
    expect(alertTarget({ ...alert, labels: { service: 'checkout', environment: 'prod' } })).toMatchObject({
      infrastructure: null,
    });
    expect(alertTarget({ ...alert, labels: { alertname: 'X' } })).toEqual({
      problem: expect.stringContaining('no "service" or "environment" label'),
    });
  });

  it('a breach starts at startsAt, identified by the fingerprint', () => {
    expect(alertBreach(alert)).toEqual({
      source: 'alertmanager',
      status: 'firing',
      fingerprint: 'c0ffee',
      startsAt: new Date('2026-12-02T10:05:00.123Z'),
    });
    expect(alertBreach({ ...alert, status: 'resolved' }).status).toBe('resolved');
  });

  it('describes the alert and its values for the log', () => {
    expect(describeAlert(alert)).toBe(
      'Alertmanager alert "ErrorBudgetBurn" (firing, fingerprint c0ffee, started 2026-12-02T10:05:00.123Z)',
    );
    expect(alertValues(alert)).toBe(
      'value=20.5, labels {alertname=ErrorBudgetBurn, service=checkout, environment=prod, infrastructure=Local Cluster}',
    );
  });
});
