// Faults a test can inject: failing components, dropped connections, slow answers, paused deploys.
import type { ComponentRef } from './component-store.js';

export interface ComponentFaultSpec {
  /** Only deploys to this org; any org when absent. */
  readonly orgId?: string;
  readonly type: string;
  readonly fullName: string;
  /** How many deploys containing the component fail it (default 1). */
  readonly times?: number;
  readonly problem?: string;
}

export interface ConnectionDropSpec {
  readonly orgId?: string;
  /** SOAP operation, e.g. `deploy`, `checkDeployStatus`, `retrieve`. */
  readonly operation: string;
  /** How many matching requests lose their connection (default 1). */
  readonly times?: number;
  /** Process the request, then drop the connection instead of answering (default: drop before processing). */
  readonly afterProcessing?: boolean;
  /**
   * `checkDeployStatus` only: only the calls that ask for the per-component results (true) or leave them out
   * (false); any call when absent.
   */
  readonly details?: boolean;
}

export interface LatencySpec {
  readonly orgId?: string;
  /** Only this SOAP operation; every one when absent. */
  readonly operation?: string;
  readonly ms: number;
}

export interface FaultsSnapshot {
  readonly componentFaults: readonly (ComponentFaultSpec & { readonly remaining: number })[];
  readonly connectionDrops: readonly (ConnectionDropSpec & { readonly remaining: number })[];
  readonly latencies: readonly LatencySpec[];
}

interface Counted<T> {
  readonly spec: T;
  remaining: number;
}

export const DEFAULT_INJECTED_PROBLEM = 'Injected failure (emulator fault injection)';

const appliesTo = (spec: { readonly orgId?: string }, orgId: string) =>
  spec.orgId === undefined || spec.orgId === orgId;

export class FaultInjector {
  private componentFaults: Counted<ComponentFaultSpec>[] = [];
  private connectionDrops: Counted<ConnectionDropSpec>[] = [];
  private latencies: LatencySpec[] = [];

  failComponent(spec: ComponentFaultSpec): void {
    this.componentFaults.push({ spec, remaining: spec.times ?? 1 });
  }

  dropConnections(spec: ConnectionDropSpec): void {
    this.connectionDrops.push({ spec, remaining: spec.times ?? 1 });
  }

  addLatency(spec: LatencySpec): void {
    this.latencies.push(spec);
  }

  clear(): void {
    this.componentFaults = [];
    this.connectionDrops = [];
    this.latencies = [];
  }

  /**
   * The fault lookup for one deploy: a matching fault fails its component and counts this deploy once
   * however often the component is asked about.
   */
  forDeploy(orgId: string): (ref: ComponentRef) => string | undefined {
    const used = new Set<Counted<ComponentFaultSpec>>();
    return (ref) => {
      const fault = this.componentFaults.find(
        (f) =>
          appliesTo(f.spec, orgId) &&
          f.spec.type === ref.type &&
          f.spec.fullName === ref.fullName &&
          (used.has(f) || f.remaining > 0),
      );
      if (!fault) return undefined;
      if (!used.has(fault)) {
        used.add(fault);
        fault.remaining--;
      }
      this.componentFaults = this.componentFaults.filter((f) => f.remaining > 0 || used.has(f));
      return fault.spec.problem ?? DEFAULT_INJECTED_PROBLEM;
    };
  }

  /** Consumes a connection drop for this request, if one is armed (`details`: whether it asks for results). */
  takeConnectionDrop(orgId: string, operation: string, details?: boolean): ConnectionDropSpec | undefined {
    const drop = this.connectionDrops.find(
      (d) =>
        appliesTo(d.spec, orgId) &&
        d.spec.operation === operation &&
        (d.spec.details === undefined || d.spec.details === details) &&
        d.remaining > 0,
    );
    if (!drop) return undefined;
    drop.remaining--;
    this.connectionDrops = this.connectionDrops.filter((d) => d.remaining > 0);
    return drop.spec;
  }

  /** Extra delay before answering this request. */
  latencyFor(orgId: string, operation: string): number {
    return this.latencies
      .filter((l) => appliesTo(l, orgId) && (l.operation === undefined || l.operation === operation))
      .reduce((sum, l) => sum + l.ms, 0);
  }

  snapshot(): FaultsSnapshot {
    return {
      componentFaults: this.componentFaults
        .filter((f) => f.remaining > 0)
        .map((f) => ({ ...f.spec, remaining: f.remaining })),
      connectionDrops: this.connectionDrops.map((d) => ({ ...d.spec, remaining: d.remaining })),
      latencies: [...this.latencies],
    };
  }
}
