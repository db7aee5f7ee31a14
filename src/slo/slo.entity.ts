import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Outcome } from './rollback-decision.js';
import type { PolicyCondition, SloMeasurement } from './slo-maths.js';

/** A Prometheus server SLOs are read from (issue 16). */
@Entity('slo_health_sources')
export class HealthSource {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') url!: string;
  /** AES-256-GCM sealed bearer token (null: none); selected only on request. */
  @Column('text', { name: 'token_ciphertext', nullable: true, select: false }) tokenCiphertext!: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}

/** A service on one infrastructure (and so in its environment), as SLOs watch it. */
@Entity('slo_monitored_services')
export class MonitoredService {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('uuid', { name: 'service_id' }) serviceId!: string;
  @Column('uuid', { name: 'infrastructure_id' }) infrastructureId!: string;
  @Column('text') environment!: string;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}

/** What the last evaluation of an SLO measured (or why it could not). */
export interface SloEvaluation {
  at: string;
  measured: SloMeasurement | null;
  error: string | null;
}

/** A request-based SLO: good and valid events (PromQL with `$window`), a target and a rolling compliance period. */
@Entity('slos')
export class Slo {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'monitored_service_id' }) monitoredServiceId!: string;
  @Column('uuid', { name: 'health_source_id' }) healthSourceId!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'good_query' }) goodQuery!: string;
  @Column('text', { name: 'valid_query' }) validQuery!: string;
  @Column('double precision', { name: 'target_percent' }) targetPercent!: number;
  @Column('integer', { name: 'period_days' }) periodDays!: number;
  @Column('jsonb', { name: 'last_evaluation', nullable: true }) lastEvaluation!: SloEvaluation | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}

/** A notification rule of an SLO whose method is Rollback Deployment. */
@Entity('slo_rollback_policies')
export class RollbackPolicy {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'slo_id' }) sloId!: string;
  @Column('text') name!: string;
  @Column('jsonb') condition!: PolicyCondition;
  @Column('integer', { name: 'window_minutes' }) windowMinutes!: number;
  @Column('boolean') enabled!: boolean;
  /** When the evaluator first saw the breach going on now; null when the condition holds no breach. */
  @Column('timestamptz', { name: 'breach_started_at', nullable: true }) breachStartedAt!: Date | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}

/** An audit event: what one alert or evaluation decided for one policy (rolled back, or why not). */
@Entity('slo_decisions')
export class SloDecision {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'monitored_service_id' }) monitoredServiceId!: string;
  @Column('uuid', { name: 'policy_id', nullable: true }) policyId!: string | null;
  @Column('text') source!: 'alertmanager' | 'evaluation';
  @Column('text', { name: 'breach_status' }) breachStatus!: 'firing' | 'resolved';
  @Column('text') fingerprint!: string;
  @Column('timestamptz', { name: 'starts_at' }) startsAt!: Date;
  /** Which alert (name, labels, annotations, groupKey) or evaluation (the values measured) it was. */
  @Column('jsonb') details!: Record<string, unknown>;
  @Column('text') outcome!: Outcome | 'refused';
  @Column('text') reason!: string;
  @Column('uuid', { name: 'execution_id', nullable: true }) executionId!: string | null;
  @Column('uuid', { name: 'rollback_job_id', nullable: true }) rollbackJobId!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
}
