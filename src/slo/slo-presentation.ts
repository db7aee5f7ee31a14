import { describeCondition } from './slo-maths.js';
import type { HealthSource, MonitoredService, RollbackPolicy, Slo, SloDecision } from './slo.entity.js';

/** What the API shows of a health source: never its token, only whether it has one. */
export function presentHealthSource(source: HealthSource & { hasToken?: boolean }) {
  return {
    id: source.id,
    name: source.name,
    url: source.url,
    hasToken: source.hasToken ?? false,
    createdAt: source.createdAt,
  };
}

export function presentMonitoredService(monitored: MonitoredService) {
  return {
    id: monitored.id,
    name: monitored.name,
    serviceId: monitored.serviceId,
    infrastructureId: monitored.infrastructureId,
    environment: monitored.environment,
    createdAt: monitored.createdAt,
  };
}

export function presentSlo(slo: Slo) {
  return {
    id: slo.id,
    monitoredServiceId: slo.monitoredServiceId,
    healthSourceId: slo.healthSourceId,
    name: slo.name,
    goodQuery: slo.goodQuery,
    validQuery: slo.validQuery,
    targetPercent: slo.targetPercent,
    periodDays: slo.periodDays,
    lastEvaluation: slo.lastEvaluation,
    createdAt: slo.createdAt,
  };
}

export function presentPolicy(policy: RollbackPolicy) {
  return {
    id: policy.id,
    sloId: policy.sloId,
    name: policy.name,
    method: 'Rollback Deployment' as const,
    condition: policy.condition,
    conditionText: describeCondition(policy.condition),
    windowMinutes: policy.windowMinutes,
    enabled: policy.enabled,
    breachStartedAt: policy.breachStartedAt,
    createdAt: policy.createdAt,
  };
}

/** An audit event: which alert or evaluation, for which policy, what was decided and why. */
export function presentDecision(decision: SloDecision) {
  return {
    id: decision.id,
    monitoredServiceId: decision.monitoredServiceId,
    policyId: decision.policyId,
    source: decision.source,
    breachStatus: decision.breachStatus,
    fingerprint: decision.fingerprint,
    startsAt: decision.startsAt,
    outcome: decision.outcome,
    reason: decision.reason,
    executionId: decision.executionId,
    rollbackJobId: decision.rollbackJobId,
    details: decision.details,
    createdAt: decision.createdAt,
  };
}
