// Faults a test can inject: rollouts whose pods never become available, API errors, slow answers.
import type { RolloutTarget } from './cluster-controller.js';

/** Pods started for matching rollouts stay in CrashLoopBackOff; each field left out matches anything. */
export interface UnavailableRolloutSpec {
  readonly namespace?: string;
  readonly deployment?: string;
  /** Matches when a container of the template runs exactly this image. */
  readonly image?: string;
}

/** Matching requests are answered with a Status of this code instead of being served. */
export interface ApiErrorSpec {
  readonly method?: string;
  /** Plural resource name (`deployments`); any when absent. */
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** HTTP code (default 500). */
  readonly code?: number;
  readonly message?: string;
  /** How many matching requests fail (default 1). */
  readonly times?: number;
}

export interface LatencySpec {
  readonly method?: string;
  readonly resource?: string;
  readonly ms: number;
}

/** What a request is, for matching faults. */
export interface RequestTarget {
  readonly method: string;
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export interface ApiErrorAnswer {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

export interface FaultsSnapshot {
  readonly unavailableRollouts: readonly UnavailableRolloutSpec[];
  readonly apiErrors: readonly (ApiErrorSpec & { readonly remaining: number })[];
  readonly latencies: readonly LatencySpec[];
}

export const DEFAULT_INJECTED_MESSAGE = 'Injected failure (emulator fault injection)';

/** The Status reason Kubernetes uses for an HTTP code. */
export function reasonForCode(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    409: 'Conflict',
    410: 'Expired',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}

const matches = (expected: string | undefined, actual: string | undefined) =>
  expected === undefined || expected.toUpperCase() === actual?.toUpperCase();

export class FaultInjector {
  private unavailable: UnavailableRolloutSpec[] = [];
  private errors: { spec: ApiErrorSpec; remaining: number }[] = [];
  private latencies: LatencySpec[] = [];

  neverAvailable(spec: UnavailableRolloutSpec): void {
    this.unavailable.push(spec);
  }

  failRequests(spec: ApiErrorSpec): void {
    const code = spec.code ?? 500;
    if (!Number.isInteger(code) || code < 400 || code > 599) throw new RangeError('code must be an HTTP error code');
    this.errors.push({ spec, remaining: spec.times ?? 1 });
  }

  addLatency(spec: LatencySpec): void {
    if (!Number.isFinite(spec.ms) || spec.ms < 0) throw new RangeError('ms must be a number of milliseconds');
    this.latencies.push(spec);
  }

  clear(): void {
    this.unavailable = [];
    this.errors = [];
    this.latencies = [];
  }

  /** Whether pods for this rollout must never become ready. */
  isUnavailable(target: RolloutTarget): boolean {
    return this.unavailable.some(
      (f) =>
        matches(f.namespace, target.namespace) &&
        (f.deployment === undefined || f.deployment === target.deployment) &&
        (f.image === undefined || target.images.includes(f.image)),
    );
  }

  /** Consumes an armed API error for this request, if one matches. */
  takeApiError(request: RequestTarget): ApiErrorAnswer | undefined {
    const armed = this.errors.find(
      (e) =>
        e.remaining > 0 &&
        matches(e.spec.method, request.method) &&
        (e.spec.resource === undefined || e.spec.resource === request.resource) &&
        (e.spec.namespace === undefined || e.spec.namespace === request.namespace) &&
        (e.spec.name === undefined || e.spec.name === request.name),
    );
    if (!armed) return undefined;
    armed.remaining--;
    this.errors = this.errors.filter((e) => e.remaining > 0);
    const code = armed.spec.code ?? 500;
    return { code, reason: reasonForCode(code), message: armed.spec.message ?? DEFAULT_INJECTED_MESSAGE };
  }

  latencyFor(request: RequestTarget): number {
    return this.latencies
      .filter((l) => matches(l.method, request.method) && (l.resource === undefined || l.resource === request.resource))
      .reduce((total, l) => total + l.ms, 0);
  }

  snapshot(): FaultsSnapshot {
    return {
      unavailableRollouts: [...this.unavailable],
      apiErrors: this.errors.map((e) => ({ ...e.spec, remaining: e.remaining })),
      latencies: [...this.latencies],
    };
  }
}
