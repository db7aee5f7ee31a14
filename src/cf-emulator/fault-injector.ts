// Faults a test can inject: CF errors on the next calls of an operation, slow answers, connections dropped
// mid-request, and droplets whose instances never become healthy.
import { KNOWN_ERRORS } from './errors.js';
import { isOperation, OPERATIONS, type Operation } from './operations.js';

/** The next `times` matching calls are answered with this CF error instead of being served. */
export interface CfErrorSpec {
  /** Any operation when absent. */
  readonly operation?: Operation;
  /** CF error code (default 10001 UnknownError); the status and title follow from it when CF has one. */
  readonly code?: number;
  readonly status?: number;
  readonly title?: string;
  readonly detail?: string;
  /** Default 1. */
  readonly times?: number;
  /** Seconds, sent as `Retry-After` (what a 429 carries). */
  readonly retryAfter?: number;
}

export interface LatencySpec {
  readonly operation?: Operation;
  readonly ms: number;
}

/**
 * The next `times` matching calls have their socket destroyed with no answer (a dropped connection): before the call
 * is served, or with `afterServing` once it was applied (the client cannot tell which happened).
 */
export interface DropSpec {
  readonly operation?: Operation;
  readonly times?: number;
  readonly afterServing?: boolean;
}

/** Instances started from this droplet never pass their health check: deployments of it stay DEPLOYING. */
export interface UnhealthyDropletSpec {
  readonly dropletGuid: string;
}

export interface InjectedError {
  readonly status: number;
  readonly code: number;
  readonly title: string;
  readonly detail: string;
  readonly retryAfter?: number;
}

export interface FaultsSnapshot {
  readonly errors: readonly (CfErrorSpec & { readonly remaining: number })[];
  readonly latencies: readonly LatencySpec[];
  readonly drops: readonly (DropSpec & { readonly remaining: number })[];
  readonly unhealthyDroplets: readonly string[];
}

export const INJECTED_DETAIL = 'Injected failure (emulator fault injection)';

function checkOperation(operation: unknown): void {
  if (operation !== undefined && !isOperation(operation))
    throw new RangeError(`operation must be one of ${OPERATIONS.join(', ')}; got ${JSON.stringify(operation)}`);
}

function checkTimes(times: unknown): number {
  const value = times ?? 1;
  if (!Number.isInteger(value) || (value as number) < 1) throw new RangeError('times must be a whole number ≥ 1');
  return value as number;
}

const matches = (spec: { operation?: Operation }, operation: Operation) =>
  spec.operation === undefined || spec.operation === operation;

export class FaultInjector {
  private errors: { spec: CfErrorSpec; remaining: number }[] = [];
  private latencies: LatencySpec[] = [];
  private drops: { spec: DropSpec; remaining: number }[] = [];
  private unhealthy = new Set<string>();

  failRequests(spec: CfErrorSpec): void {
    checkOperation(spec.operation);
    const remaining = checkTimes(spec.times);
    const code = spec.code ?? 10001;
    if (!Number.isInteger(code) || code < 1) throw new RangeError('code must be a CF error code such as 10001');
    const status = spec.status ?? KNOWN_ERRORS[code]?.status;
    if (status === undefined)
      throw new RangeError(`code ${code} has no known HTTP status: give status (an HTTP error code) too`);
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new RangeError('status must be an HTTP error code (400–599)');
    this.errors.push({ spec: { ...spec, code, status }, remaining });
  }

  addLatency(spec: LatencySpec): void {
    checkOperation(spec.operation);
    if (typeof spec.ms !== 'number' || !Number.isFinite(spec.ms) || spec.ms < 0)
      throw new RangeError('ms must be a number of milliseconds ≥ 0');
    this.latencies.push(spec);
  }

  dropConnections(spec: DropSpec): void {
    checkOperation(spec.operation);
    if (spec.afterServing !== undefined && typeof spec.afterServing !== 'boolean')
      throw new RangeError('afterServing must be true or false');
    this.drops.push({ spec, remaining: checkTimes(spec.times) });
  }

  unhealthyDroplet(spec: UnhealthyDropletSpec): void {
    if (typeof spec.dropletGuid !== 'string' || !spec.dropletGuid)
      throw new RangeError('dropletGuid must be the guid of a droplet');
    this.unhealthy.add(spec.dropletGuid);
  }

  isUnhealthy(dropletGuid: string): boolean {
    return this.unhealthy.has(dropletGuid);
  }

  clear(): void {
    this.errors = [];
    this.latencies = [];
    this.drops = [];
    this.unhealthy.clear();
  }

  /** Consumes an armed error for this call, if one matches. */
  takeError(operation: Operation): InjectedError | undefined {
    const armed = this.errors.find((e) => e.remaining > 0 && matches(e.spec, operation));
    if (!armed) return undefined;
    armed.remaining--;
    this.errors = this.errors.filter((e) => e.remaining > 0);
    const code = armed.spec.code!;
    return {
      status: armed.spec.status!,
      code,
      title: armed.spec.title ?? KNOWN_ERRORS[code]?.title ?? 'CF-InjectedFault',
      detail: armed.spec.detail ?? INJECTED_DETAIL,
      retryAfter: armed.spec.retryAfter,
    };
  }

  /** Consumes an armed drop for this call: true when the connection must be destroyed (now, or after serving). */
  takeDrop(operation: Operation, afterServing = false): boolean {
    const armed = this.drops.find(
      (d) => d.remaining > 0 && matches(d.spec, operation) && (d.spec.afterServing === true) === afterServing,
    );
    if (!armed) return false;
    armed.remaining--;
    this.drops = this.drops.filter((d) => d.remaining > 0);
    return true;
  }

  latencyFor(operation: Operation): number {
    return this.latencies.filter((l) => matches(l, operation)).reduce((total, l) => total + l.ms, 0);
  }

  snapshot(): FaultsSnapshot {
    return {
      errors: this.errors.map((e) => ({ ...e.spec, remaining: e.remaining })),
      latencies: [...this.latencies],
      drops: this.drops.map((d) => ({ ...d.spec, remaining: d.remaining })),
      unhealthyDroplets: [...this.unhealthy],
    };
  }
}
