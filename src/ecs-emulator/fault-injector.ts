// Faults a test can inject: tasks that never become healthy, AWS errors, slow answers, connections dropped mid-request.
import { parseTaskDefinitionRef } from './task-definitions.js';

/** Tasks of matching task definitions fail to start; `revision` left out matches every revision of the family. */
export interface UnhealthyTasksSpec {
  readonly family: string;
  readonly revision?: number;
}

/** Matching calls are answered with this AWS error instead of being served. */
export interface ApiErrorSpec {
  /** Operation name (`UpdateService`); any when absent. */
  readonly operation?: string;
  /** The `__type` (default ServerException). */
  readonly errorType?: string;
  readonly message?: string;
  /** HTTP status (default 500 for ServerException, 400 for anything else). */
  readonly status?: number;
  /** How many matching calls fail (default 1). */
  readonly times?: number;
}

export interface LatencySpec {
  readonly operation?: string;
  readonly ms: number;
}

/** Matching calls have their socket destroyed before any answer is written. */
export interface DropConnectionSpec {
  readonly operation?: string;
  /** How many matching calls are dropped (default 1). */
  readonly times?: number;
}

export interface ApiErrorAnswer {
  readonly type: string;
  readonly message: string;
  readonly status: number;
}

export interface FaultsSnapshot {
  readonly unhealthyTasks: readonly UnhealthyTasksSpec[];
  readonly apiErrors: readonly (ApiErrorSpec & { readonly remaining: number })[];
  readonly latencies: readonly LatencySpec[];
  readonly droppedConnections: readonly (DropConnectionSpec & { readonly remaining: number })[];
}

export const DEFAULT_INJECTED_MESSAGE = 'Injected failure (emulator fault injection)';

const matches = (expected: string | undefined, actual: string) => expected === undefined || expected === actual;

/** Specs arrive as JSON over the admin routes too: a text field of another type is refused, not matched never. */
function checkText(spec: object, ...fields: string[]): void {
  for (const field of fields) {
    const value = (spec as Record<string, unknown>)[field];
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      throw new RangeError(`${field} must be a non-empty string`);
  }
}

function positiveCount(times: number | undefined): number {
  const count = times ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new RangeError('times must be a whole number ≥ 1');
  return count;
}

export class FaultInjector {
  private unhealthy: UnhealthyTasksSpec[] = [];
  private errors: { spec: ApiErrorSpec; remaining: number }[] = [];
  private latencies: LatencySpec[] = [];
  private drops: { spec: DropConnectionSpec; remaining: number }[] = [];

  unhealthyTasks(spec: UnhealthyTasksSpec): void {
    if (typeof spec.family !== 'string' || spec.family === '') throw new RangeError('family is required');
    if (spec.revision !== undefined && (!Number.isInteger(spec.revision) || spec.revision < 1))
      throw new RangeError('revision must be a whole number ≥ 1');
    this.unhealthy.push({ family: spec.family, ...(spec.revision === undefined ? {} : { revision: spec.revision }) });
  }

  failRequests(spec: ApiErrorSpec): void {
    checkText(spec, 'operation', 'errorType', 'message');
    const status = spec.status ?? 500;
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new RangeError('status must be an HTTP error code');
    this.errors.push({ spec, remaining: positiveCount(spec.times) });
  }

  addLatency(spec: LatencySpec): void {
    checkText(spec, 'operation');
    if (!Number.isFinite(spec.ms) || spec.ms < 0) throw new RangeError('ms must be a number of milliseconds');
    this.latencies.push(spec);
  }

  dropConnections(spec: DropConnectionSpec): void {
    checkText(spec, 'operation');
    this.drops.push({ spec, remaining: positiveCount(spec.times) });
  }

  clear(): void {
    this.unhealthy = [];
    this.errors = [];
    this.latencies = [];
    this.drops = [];
  }

  /** Whether tasks of this task definition ARN must never become healthy. */
  isUnhealthy(taskDefinitionArn: string): boolean {
    const ref = parseTaskDefinitionRef(taskDefinitionArn);
    return (
      ref !== undefined &&
      this.unhealthy.some((f) => f.family === ref.family && (f.revision === undefined || f.revision === ref.revision))
    );
  }

  /** Consumes an armed error for this operation, if one matches. */
  takeApiError(operation: string): ApiErrorAnswer | undefined {
    const armed = this.errors.find((e) => e.remaining > 0 && matches(e.spec.operation, operation));
    if (!armed) return undefined;
    armed.remaining--;
    this.errors = this.errors.filter((e) => e.remaining > 0);
    const type = armed.spec.errorType ?? 'ServerException';
    return {
      type,
      message: armed.spec.message ?? DEFAULT_INJECTED_MESSAGE,
      status: armed.spec.status ?? (type === 'ServerException' ? 500 : 400),
    };
  }

  /** Consumes an armed connection drop for this operation, if one matches. */
  takeDrop(operation: string): boolean {
    const armed = this.drops.find((d) => d.remaining > 0 && matches(d.spec.operation, operation));
    if (!armed) return false;
    armed.remaining--;
    this.drops = this.drops.filter((d) => d.remaining > 0);
    return true;
  }

  latencyFor(operation: string): number {
    return this.latencies.filter((l) => matches(l.operation, operation)).reduce((total, l) => total + l.ms, 0);
  }

  snapshot(): FaultsSnapshot {
    return {
      unhealthyTasks: [...this.unhealthy],
      apiErrors: this.errors.map((e) => ({ ...e.spec, remaining: e.remaining })),
      latencies: [...this.latencies],
      droppedConnections: this.drops.map((d) => ({ ...d.spec, remaining: d.remaining })),
    };
  }
}
