/**
 * Request-based SLO arithmetic (issue 16; Google SRE Workbook, "Alerting on SLOs"): the SLI is good events over valid
 * events, the error budget is 1 − target, and the burn rate is how fast the budget is spent (1 = exactly over the
 * compliance period). Pure functions; ratios in 0..1, targets as the percentage a person types (99.5).
 */

/** good / valid over a window, or null when there were no valid events (no traffic: no verdict, not a breach). */
export function sli(good: number, valid: number): number | null {
  if (!Number.isFinite(good) || !Number.isFinite(valid) || valid <= 0) return null;
  return Math.min(1, Math.max(0, good / valid));
}

/** The error budget as a ratio: 99.5 % → 0.005. */
export function errorBudget(targetPercent: number): number {
  return 1 - targetPercent / 100;
}

/**
 * The share of the error budget left over the compliance period, in percent (100 = untouched, 0 = spent, negative =
 * overspent), from the SLI over that period.
 */
export function errorBudgetRemainingPercent(sliOverPeriod: number, targetPercent: number): number {
  const budget = errorBudget(targetPercent);
  return (1 - (1 - sliOverPeriod) / budget) * 100;
}

/** How many times faster than allowed the budget burns, from the SLI over a short window: error ratio / budget. */
export function burnRate(sliOverWindow: number, targetPercent: number): number {
  return (1 - sliOverWindow) / errorBudget(targetPercent);
}

/** The condition of a rollback policy (the notification rule whose method is Rollback Deployment). */
export type PolicyCondition =
  | { type: 'errorBudgetRemainingBelow'; percent: number }
  | { type: 'burnRateAbove'; rate: number; windowMinutes: number };

/** What an evaluation of an SLO measured; null where there was no traffic. */
export interface SloMeasurement {
  sli: number | null;
  errorBudgetRemainingPercent: number | null;
  /** Over the condition's window (burnRateAbove) or the compliance period. */
  burnRate: number | null;
}

/** The measurement from the good and valid counts over the period and over the burn window. */
export function measure(
  targetPercent: number,
  period: { good: number; valid: number },
  window: { good: number; valid: number },
): SloMeasurement {
  const overPeriod = sli(period.good, period.valid);
  const overWindow = sli(window.good, window.valid);
  return {
    sli: overPeriod,
    errorBudgetRemainingPercent: overPeriod === null ? null : errorBudgetRemainingPercent(overPeriod, targetPercent),
    burnRate: overWindow === null ? null : burnRate(overWindow, targetPercent),
  };
}

/** Whether the measurement breaches the condition (no traffic never does). */
export function breaches(condition: PolicyCondition, measured: SloMeasurement): boolean {
  if (condition.type === 'errorBudgetRemainingBelow')
    return measured.errorBudgetRemainingPercent !== null && measured.errorBudgetRemainingPercent < condition.percent;
  return measured.burnRate !== null && measured.burnRate > condition.rate;
}

/** The condition as a sentence: "error budget remaining below 20 %", "burn rate above 14.4 over 5 min". */
export function describeCondition(condition: PolicyCondition): string {
  return condition.type === 'errorBudgetRemainingBelow'
    ? `error budget remaining below ${condition.percent} %`
    : `burn rate above ${condition.rate} over ${condition.windowMinutes} min`;
}

/** The measurement as the log and audit show it: "SLI 97.000 %, error budget remaining -500.0 %, burn rate 6.00". */
export function describeMeasurement(measured: SloMeasurement): string {
  const pct = (v: number | null, digits: number) => (v === null ? 'no traffic' : `${v.toFixed(digits)} %`);
  return [
    `SLI ${pct(measured.sli === null ? null : measured.sli * 100, 3)}`,
    `error budget remaining ${pct(measured.errorBudgetRemainingPercent, 1)}`,
    `burn rate ${measured.burnRate === null ? 'no traffic' : measured.burnRate.toFixed(2)}`,
  ].join(', ');
}

/** One step of an SLO's history: the SLI and burn rate over the step ending at `at`; null where there was no traffic. */
export interface SloHistoryPoint {
  at: string;
  sli: number | null;
  burnRate: number | null;
}

/**
 * The history from the good and valid counts per step (two range queries): a point per valid sample, good taken as 0
 * where Prometheus had no good sample at that time (every request failed).
 */
export function sloHistory(
  good: { at: number; value: number }[],
  valid: { at: number; value: number }[],
  targetPercent: number,
): SloHistoryPoint[] {
  const goodAt = new Map(good.map((s) => [s.at, s.value]));
  return valid.map((s) => {
    const ratio = sli(goodAt.get(s.at) ?? 0, s.value);
    return {
      at: new Date(s.at).toISOString(),
      sli: ratio,
      burnRate: ratio === null ? null : burnRate(ratio, targetPercent),
    };
  });
}
