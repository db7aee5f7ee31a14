import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { can, missingPermissionMessage, type Principal } from '../auth/permissions.js';
import { ForbiddenError } from '../common/errors.js';
import {
  alertBreach,
  alertTarget,
  alertValues,
  describeAlert,
  type AlertmanagerAlert,
  type AlertmanagerPayload,
  type AlertTarget,
} from './alertmanager-payload.js';
import { MonitoredService, RollbackPolicy, type SloDecision } from './slo.entity.js';
import { SloRollbacksService } from './slo-rollbacks.service.js';

/** An alert that selected no policy, and why. */
export interface UnmatchedAlert {
  fingerprint: string;
  alertname: string | null;
  reason: string;
}

/**
 * `POST /api/hooks/alertmanager` (issue 16): each alert's labels select a monitored service (service, environment,
 * infrastructure) and its policies (all, or the SLO named by a `slo` label); each policy decides. The token must hold
 * `rollback` in the environment of every alert it delivers, or nothing is decided (403: Alertmanager does not retry a
 * 4xx).
 */
@Injectable()
export class AlertmanagerReceiver {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rollbacks: SloRollbacksService,
  ) {}

  async receive(
    payload: AlertmanagerPayload,
    principal: Principal,
  ): Promise<{ decisions: SloDecision[]; unmatched: UnmatchedAlert[] }> {
    const unmatched: UnmatchedAlert[] = [];
    const matched: { alert: AlertmanagerAlert; monitored: MonitoredService; policies: RollbackPolicy[] }[] = [];
    for (const alert of payload.alerts) {
      const target = alertTarget(alert);
      const found = 'problem' in target ? target : await this.select(target);
      if ('problem' in found) {
        unmatched.push({
          fingerprint: alert.fingerprint,
          alertname: alert.labels.alertname ?? null,
          reason: found.problem,
        });
        continue;
      }
      matched.push({ alert, ...found });
    }
    for (const { monitored } of matched) {
      if (!can(principal, 'rollback', monitored.environment))
        throw new ForbiddenError(
          `Delivering alerts that roll back needs "rollback" in the environment: ${missingPermissionMessage(principal, 'rollback', monitored.environment)}`,
        );
    }
    const decisions: SloDecision[] = [];
    for (const { alert, monitored, policies } of matched) {
      for (const policy of policies) {
        decisions.push(
          await this.rollbacks.decide(alertBreach(alert), policy, monitored, {
            what: describeAlert(alert),
            values: alertValues(alert),
            details: {
              alertname: alert.labels.alertname ?? null,
              labels: alert.labels,
              annotations: alert.annotations ?? {},
              groupKey: payload.groupKey,
            },
          }),
        );
      }
    }
    return { decisions, unmatched };
  }

  /** The monitored service the labels name and its live policies, or why there is none. */
  private async select(
    target: AlertTarget,
  ): Promise<{ monitored: MonitoredService; policies: RollbackPolicy[] } | { problem: string }> {
    const rows: { id: string; infrastructure: string }[] = await this.db.query(
      `SELECT m.id, i.name AS infrastructure
         FROM slo_monitored_services m
         JOIN services s ON s.id = m.service_id
         JOIN infrastructures i ON i.id = m.infrastructure_id
        WHERE m.deleted_at IS NULL AND lower(s.name) = lower($1) AND lower(m.environment) = lower($2)
          AND ($3::text IS NULL OR lower(i.name) = lower($3))
        ORDER BY m.created_at`,
      [target.service, target.environment, target.infrastructure],
    );
    const where = `service "${target.service}" in environment "${target.environment}"${target.infrastructure ? ` on infrastructure "${target.infrastructure}"` : ''}`;
    if (!rows.length) return { problem: `No monitored service is ${where}.` };
    if (rows.length > 1)
      return {
        problem: `Service "${target.service}" is monitored on more than one infrastructure in "${target.environment}" (${rows.map((r) => `"${r.infrastructure}"`).join(', ')}): add an "infrastructure" label to the alert.`,
      };
    const monitored = await this.db.manager.findOneByOrFail(MonitoredService, { id: rows[0]!.id });
    const policies: RollbackPolicy[] = await this.db.manager
      .createQueryBuilder(RollbackPolicy, 'p')
      .innerJoin('slos', 's', 's.id = p.slo_id')
      .where('p.deleted_at IS NULL AND s.deleted_at IS NULL AND s.monitored_service_id = :m', { m: monitored.id })
      .andWhere(target.slo ? 'lower(s.name) = lower(:slo)' : '1 = 1', { slo: target.slo })
      .orderBy('p.created_at', 'ASC')
      .getMany();
    if (!policies.length)
      return {
        problem: `Monitored service "${monitored.name}" has no rollback policy${target.slo ? ` on an SLO named "${target.slo}"` : ''}.`,
      };
    return { monitored, policies };
  }
}
