import crypto from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppError } from '../common/errors.js';
import { ExecutionRollbacksService } from '../platform/executions/execution-rollbacks.service.js';
import { ExecutionsService } from '../platform/executions/executions.service.js';
import { rollbackDecision, type Breach, type CurrentDeployment, type Decision } from './rollback-decision.js';
import { SloDecision, type MonitoredService, type RollbackPolicy } from './slo.entity.js';

/** What a breach is about, as the alert or the evaluation told it: shown in the decision and the job's log. */
export interface BreachContext {
  /** One sentence: "Alertmanager alert ErrorBudgetBurn (fingerprint …)" or "evaluation of SLO …". */
  what: string;
  /** The values measured (an evaluation) or the alert's labels and annotations. */
  details: Record<string, unknown>;
  /** The values in words ("burn rate 20.00, …"), for the log. */
  values: string;
}

/**
 * Acts on one breach for one policy (issue 16): claims the breach (one row per policy, fingerprint and start, inserted
 * before anything else, so repeats and concurrent deliveries never act twice), reads the current deployment, asks
 * rollbackDecision, starts the Rollback through the same path and claim as `POST /api/executions/:id/rollback`, and
 * records the decision — whatever it was — as an audit event.
 */
@Injectable()
export class SloRollbacksService {
  private readonly logger = new Logger('SloRollbacks');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly executions: ExecutionsService,
    private readonly rollbacks: ExecutionRollbacksService,
  ) {}

  async decide(
    breach: Breach,
    policy: RollbackPolicy,
    monitored: MonitoredService,
    context: BreachContext,
  ): Promise<SloDecision> {
    const firstDelivery = breach.status === 'resolved' ? true : await this.claimBreach(policy.id, breach);
    const deployment = await this.currentDeployment(monitored);
    const decision = rollbackDecision({
      breach,
      policy: { name: policy.name, enabled: policy.enabled, windowMinutes: policy.windowMinutes },
      deployment,
      firstDelivery,
    });
    const id = crypto.randomUUID();
    const acted =
      decision.outcome === 'rollback' ? await this.rollBack(id, decision, policy, monitored, context) : null;
    const row = this.db.manager.create(SloDecision, {
      id,
      monitoredServiceId: monitored.id,
      policyId: policy.id,
      source: breach.source,
      breachStatus: breach.status,
      fingerprint: breach.fingerprint,
      startsAt: breach.startsAt,
      details: { what: context.what, ...context.details },
      outcome: acted?.outcome ?? decision.outcome,
      reason: acted?.reason ?? decision.reason,
      executionId: decision.executionId,
      rollbackJobId: acted?.rollbackJobId ?? null,
    });
    await this.db.manager.save(SloDecision, row);
    this.logger.log(`${context.what}: policy "${policy.name}" → ${row.outcome}: ${row.reason}`);
    return this.db.manager.findOneByOrFail(SloDecision, { id });
  }

  /** Inserts the (policy, fingerprint, startsAt) row: true for the one delivery that inserted it. */
  private async claimBreach(policyId: string, breach: Breach): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO slo_breaches (policy_id, fingerprint, starts_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING policy_id`,
      [policyId, breach.fingerprint, breach.startsAt],
    );
    return rows.length === 1;
  }

  /**
   * The latest execution (a pipeline's Deploy) that deployed the service on the infrastructure, whatever its status —
   * one still running, or whose stage there never started and which has finished, does not count as deploying it —
   * with the rollback holding its claim.
   */
  async currentDeployment(monitored: Pick<MonitoredService, 'serviceId' | 'infrastructureId'>) {
    const [row]: { id: string; status: string; finished_at: Date | null; rollback_job_id: string | null }[] =
      await this.db.query(
        `SELECT j.id, j.status, j.finished_at, c.rollback_job_id
           FROM jobs j LEFT JOIN execution_rollbacks c ON c.execution_id = j.id
          WHERE j.kind = 'Deploy' AND j.pipeline_id IS NOT NULL
            AND EXISTS (SELECT 1 FROM execution_stages s
                         WHERE s.job_id = j.id AND s.service_id = $1 AND s.infrastructure_id = $2
                           AND s.source_stage_id IS NULL AND (s.started_at IS NOT NULL OR j.finished_at IS NULL))
          ORDER BY j.created_at DESC LIMIT 1`,
        [monitored.serviceId, monitored.infrastructureId],
      );
    if (!row) return null;
    const deployment: CurrentDeployment = {
      executionId: row.id,
      status: row.status,
      finishedAt: row.finished_at ? new Date(row.finished_at) : null,
      rollbackJobId: row.rollback_job_id,
    };
    return deployment;
  }

  /**
   * Starts the Rollback as the policy, in the monitored service's environment only. A refusal of the rollback rules
   * (a stage in another environment, retention, …) or a claim another request took a moment before is recorded as
   * such instead.
   */
  private async rollBack(
    decisionId: string,
    decision: Decision,
    policy: RollbackPolicy,
    monitored: MonitoredService,
    context: BreachContext,
  ): Promise<{ outcome: SloDecision['outcome']; reason: string; rollbackJobId: string | null }> {
    const executionId = decision.executionId!;
    try {
      const execution = await this.executions.get(executionId);
      const job = await this.rollbacks.startAutomatic(
        execution,
        { permissions: ['deploy', 'rollback'], environments: [monitored.environment] },
        { tokenId: null, name: policyStarter(policy) },
        [
          `Started automatically by ${policyStarter(policy)} (decision ${decisionId}) for ${context.what}.`,
          `Values: ${context.values}.`,
          decision.reason,
        ],
      );
      return { outcome: 'rollback', reason: decision.reason, rollbackJobId: job.id };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const [claim]: { rollback_job_id: string }[] = await this.db.query(
        `SELECT rollback_job_id FROM execution_rollbacks WHERE execution_id = $1`,
        [executionId],
      );
      if (claim)
        return {
          outcome: 'already-rolled-back',
          reason: `Execution ${executionId} was rolled back by another request a moment before (Rollback ${claim.rollback_job_id}).`,
          rollbackJobId: null,
        };
      return {
        outcome: 'refused',
        reason: `The rollback rules refused rolling back execution ${executionId}: ${error.message}`,
        rollbackJobId: null,
      };
    }
  }
}

/** How a Rollback started by a policy is recorded as started (`createdBy` of the execution API). */
export function policyStarter(policy: Pick<RollbackPolicy, 'name'>): string {
  return `SLO rollback policy "${policy.name}"`;
}
