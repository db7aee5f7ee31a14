import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { instantValue, rangeValues, type PrometheusConnection } from './prometheus.client.js';
import {
  breaches,
  describeCondition,
  describeMeasurement,
  measure,
  sloHistory,
  type SloHistoryPoint,
  type SloMeasurement,
} from './slo-maths.js';
import { DEFAULT_BURN_WINDOW_MINUTES, windowed } from './slo-queries.js';
import { SloConfigService } from './slo-config.service.js';
import type { MonitoredService, RollbackPolicy, Slo, SloDecision } from './slo.entity.js';
import { SloRollbacksService } from './slo-rollbacks.service.js';

/**
 * Evaluates every SLO that has a rollback policy against its Prometheus every `SLO_EVAL_SECONDS` (issue 16), in the
 * processes that run jobs (ROLE all or worker). A policy's breach starts at the first evaluation that finds its
 * condition true (one process claims it) and is decided once; it ends, as a resolved decision, at the first that finds
 * it false. No traffic, or Prometheus not answering, is no breach: the SLO's last evaluation says so.
 */
@Injectable()
export class SloEvaluator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SloEvaluator');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Pick<Config, 'SLO_EVAL_SECONDS' | 'ROLE'>,
    private readonly slo: SloConfigService,
    private readonly rollbacks: SloRollbacksService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.ROLE === 'api' || this.config.SLO_EVAL_SECONDS <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.config.SLO_EVAL_SECONDS * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass unless the previous one still runs. */
  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.evaluateAll().then(
      () => undefined,
      (e: unknown) => this.logger.warn(`SLO evaluation failed: ${String(e)}`),
    );
    await this.running;
    this.running = null;
  }

  /** Evaluates every SLO with a policy now; the decisions it made. */
  async evaluateAll(now = new Date()): Promise<SloDecision[]> {
    const decisions: SloDecision[] = [];
    for (const target of await this.slo.evaluated()) decisions.push(...(await this.evaluate(target, now)));
    return decisions;
  }

  private async evaluate(
    target: { slo: Slo; monitored: MonitoredService; policies: RollbackPolicy[] },
    now: Date,
  ): Promise<SloDecision[]> {
    const { slo, monitored, policies } = target;
    const connection = await this.slo.connection(slo.healthSourceId);
    const byWindow = new Map<number, SloMeasurement>();
    const measureOver = async (windowMinutes: number) => {
      const known = byWindow.get(windowMinutes);
      if (known) return known;
      const measured = await this.measure(connection, slo, windowMinutes, now);
      byWindow.set(windowMinutes, measured);
      return measured;
    };
    const firstBurn = policies.find((p) => p.condition.type === 'burnRateAbove')?.condition;
    const shownWindow = firstBurn?.type === 'burnRateAbove' ? firstBurn.windowMinutes : DEFAULT_BURN_WINDOW_MINUTES;
    let shown: SloMeasurement;
    try {
      shown = await measureOver(shownWindow);
    } catch (error) {
      await this.slo.saveEvaluation(slo, { at: now.toISOString(), measured: null, error: (error as Error).message });
      return [];
    }
    await this.slo.saveEvaluation(slo, { at: now.toISOString(), measured: shown, error: null });

    const decisions: SloDecision[] = [];
    for (const policy of policies) {
      const condition = policy.condition;
      let measured: SloMeasurement;
      try {
        measured = condition.type === 'burnRateAbove' ? await measureOver(condition.windowMinutes) : shown;
      } catch (error) {
        this.logger.warn(`SLO "${slo.name}", policy "${policy.name}": ${(error as Error).message}`);
        continue;
      }
      const context = {
        what: `evaluation of SLO "${slo.name}" at ${now.toISOString()} (${describeCondition(condition)})`,
        values: describeMeasurement(measured),
        details: { slo: slo.name, condition, measured, targetPercent: slo.targetPercent, evaluatedAt: now },
      };
      const fingerprint = `evaluation:${policy.id}`;
      if (breaches(condition, measured)) {
        if (policy.breachStartedAt || !(await this.slo.startBreach(policy.id, now))) continue;
        decisions.push(
          await this.rollbacks.decide(
            { source: 'evaluation', status: 'firing', fingerprint, startsAt: now },
            policy,
            monitored,
            context,
          ),
        );
      } else if (policy.breachStartedAt) {
        const started = await this.slo.endBreach(policy.id);
        if (!started) continue;
        decisions.push(
          await this.rollbacks.decide(
            { source: 'evaluation', status: 'resolved', fingerprint, startsAt: started },
            policy,
            monitored,
            context,
          ),
        );
      }
    }
    return decisions;
  }

  /**
   * The SLO's SLI and burn rate per step over the last `hours` (`/api/v1/query_range` with the step as `$window`), for
   * the API and the UI; Prometheus failing throws its PrometheusError.
   */
  async history(slo: Slo, hours: number, stepMinutes: number, now = new Date()): Promise<SloHistoryPoint[]> {
    const connection = await this.slo.connection(slo.healthSourceId);
    const range = { start: new Date(now.getTime() - hours * 3600_000), end: now, stepSeconds: stepMinutes * 60 };
    const [good, valid] = await Promise.all([
      rangeValues(connection, windowed(slo.goodQuery, stepMinutes), range),
      rangeValues(connection, windowed(slo.validQuery, stepMinutes), range),
    ]);
    return sloHistory(good, valid, slo.targetPercent);
  }

  /** Good and valid events over the compliance period and over the burn window, as SLI, budget and burn rate. */
  private async measure(
    connection: PrometheusConnection,
    slo: Slo,
    windowMinutes: number,
    now: Date,
  ): Promise<SloMeasurement> {
    const periodMinutes = slo.periodDays * 1440;
    const [periodGood, periodValid, windowGood, windowValid] = await Promise.all([
      instantValue(connection, windowed(slo.goodQuery, periodMinutes), { time: now }),
      instantValue(connection, windowed(slo.validQuery, periodMinutes), { time: now }),
      instantValue(connection, windowed(slo.goodQuery, windowMinutes), { time: now }),
      instantValue(connection, windowed(slo.validQuery, windowMinutes), { time: now }),
    ]);
    return measure(
      slo.targetPercent,
      { good: periodGood, valid: periodValid },
      { good: windowGood, valid: windowValid },
    );
  }
}
