// The emulator's state and services, shared by the HTTP handlers and the admin API.
import type { DeployService } from './deploy-service.js';
import type { FaultInjector } from './fault-injector.js';
import type { FlowVersions } from './flow-versions.js';
import type { Org, OrgRegistry } from './org-registry.js';
import type { RetrieveService } from './retrieve-service.js';
import type { SessionStore } from './session-store.js';

export interface EmulatorLogger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface EmulatorContext {
  readonly orgs: OrgRegistry;
  readonly sessions: SessionStore;
  readonly faults: FaultInjector;
  readonly deploys: DeployService;
  readonly retrieves: RetrieveService;
  /** Flow versions and activation (FlowDefinition), per org. */
  readonly flows: FlowVersions;
  /** Instance URL of the running server (known once it listens). */
  instanceUrl(): string;
  /** Records that the shared state (and the given orgs' metadata) changed. */
  changed(orgs?: readonly Org[]): void;
  /** Time a deploy or retrieve takes from Pending to done. */
  latencyMs: number;
}
