// Faults a test can inject per action: AWS-shaped error answers, slow answers, connections dropped mid-request.

export type AwsService = 'autoscaling' | 'ec2';

/** The next `times` matching calls are answered with this error instead of being served. */
export interface ApiErrorSpec {
  /** `SetDesiredCapacity`, `DescribeLaunchTemplateVersions`…; any action when absent. */
  readonly action?: string;
  /** AWS error code, e.g. `ResourceContention`, `ScalingActivityInProgress`, `RequestLimitExceeded`. */
  readonly code: string;
  readonly message?: string;
  /** HTTP status (default 400; 5xx answers are retried by the SDKs). */
  readonly status?: number;
  /** How many matching calls fail (default 1). */
  readonly times?: number;
}

export interface LatencySpec {
  readonly action?: string;
  readonly ms: number;
}

/** The next `times` matching calls get their socket destroyed before any answer is written. */
export interface DropSpec {
  readonly action?: string;
  readonly times?: number;
}

export interface ApiErrorAnswer {
  readonly code: string;
  readonly message: string;
  readonly status: number;
}

export interface FaultsSnapshot {
  readonly apiErrors: readonly (ApiErrorSpec & { readonly remaining: number })[];
  readonly latencies: readonly LatencySpec[];
  readonly drops: readonly (DropSpec & { readonly remaining: number })[];
}

export const DEFAULT_INJECTED_MESSAGE = 'Injected failure (emulator fault injection)';

const matches = (expected: string | undefined, action: string) => expected === undefined || expected === action;

function times(value: number | undefined): number {
  const n = value ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new RangeError('times must be a whole number ≥ 1');
  return n;
}

export class FaultInjector {
  private errors: { spec: ApiErrorSpec; remaining: number }[] = [];
  private latencies: LatencySpec[] = [];
  private drops: { spec: DropSpec; remaining: number }[] = [];

  failRequests(spec: ApiErrorSpec): void {
    if (typeof spec.code !== 'string' || !/^[A-Za-z][\w.]*$/.test(spec.code))
      throw new RangeError('code must be an AWS error code such as ResourceContention');
    const status = spec.status ?? 400;
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new RangeError('status must be an HTTP error status (400-599)');
    this.errors.push({ spec, remaining: times(spec.times) });
  }

  addLatency(spec: LatencySpec): void {
    if (!Number.isFinite(spec.ms) || spec.ms < 0) throw new RangeError('ms must be a number of milliseconds ≥ 0');
    this.latencies.push(spec);
  }

  dropConnections(spec: DropSpec): void {
    this.drops.push({ spec, remaining: times(spec.times) });
  }

  clear(): void {
    this.errors = [];
    this.latencies = [];
    this.drops = [];
  }

  /** Consumes an armed error for this action, if one matches. */
  takeApiError(action: string): ApiErrorAnswer | undefined {
    const armed = this.errors.find((e) => matches(e.spec.action, action));
    if (!armed) return undefined;
    armed.remaining--;
    this.errors = this.errors.filter((e) => e.remaining > 0);
    return {
      code: armed.spec.code,
      message: armed.spec.message ?? DEFAULT_INJECTED_MESSAGE,
      status: armed.spec.status ?? 400,
    };
  }

  /** Consumes an armed drop for this action: true when the connection must be destroyed. */
  takeDrop(action: string): boolean {
    const armed = this.drops.find((d) => matches(d.spec.action, action));
    if (!armed) return false;
    armed.remaining--;
    this.drops = this.drops.filter((d) => d.remaining > 0);
    return true;
  }

  latencyFor(action: string): number {
    return this.latencies.filter((l) => matches(l.action, action)).reduce((total, l) => total + l.ms, 0);
  }

  snapshot(): FaultsSnapshot {
    return {
      apiErrors: this.errors.map((e) => ({ ...e.spec, remaining: e.remaining })),
      latencies: [...this.latencies],
      drops: this.drops.map((d) => ({ ...d.spec, remaining: d.remaining })),
    };
  }
}
