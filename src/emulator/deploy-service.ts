// Runs deploys: one at a time per org, Pending → InProgress → done over the configured latency,
// cancelable until done, optionally held in InProgress while an org's deploys are paused.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Audit, ComponentContent, ComponentRecord, ComponentRef, ComponentStore } from './component-store.js';
import {
  planDeploy,
  type DeployCandidate,
  type DeployOperation,
  type DeployPlan,
  type DeployStatus,
} from './deploy-plan.js';
import { prepareDeploy } from './deploy-preparation.js';
import { dropPermissionsAbout, overlayProfiles } from './profile-semantics.js';
import type { FaultInjector } from './fault-injector.js';
import type { FlowVersions } from './flow-versions.js';
import { writtenContent } from './irreversible.js';
import { isLimitErrorResult, type LimitError, type MetadataLimits } from './metadata-limits.js';
import { idPrefixOf } from './metadata-types.js';
import type { Org } from './org-registry.js';
import { newSalesforceId } from './salesforce-id.js';

export interface DeployOptions {
  readonly checkOnly: boolean;
  readonly rollbackOnError: boolean;
  readonly ignoreWarnings: boolean;
  readonly singlePackage: boolean;
  readonly purgeOnDelete: boolean;
  readonly testLevel?: string;
  readonly runTests: readonly string[];
}

export interface DeployJob {
  readonly id: string;
  readonly orgId: string;
  readonly options: DeployOptions;
  readonly createdDate: string;
  readonly createdBy: Audit;
  status: DeployStatus;
  startDate?: string;
  completedDate?: string;
  lastModifiedDate: string;
  numberComponentsTotal: number;
  /** When InProgress: the wall-clock window over which components count as deployed. */
  progress?: { readonly startedAt: number; readonly durationMs: number };
  plan?: DeployPlan;
  error?: LimitError;
  canceledBy?: Audit;
  /** A quick deploy: the validation it deploys. */
  validatedDeployRequestId?: string;
}

/** Why a validation cannot be quick-deployed; undefined when it can. */
export function quickDeployRefusal(job: DeployJob | undefined, alreadyDeployed: boolean): string | undefined {
  if (!job) return 'invalid id';
  if (!job.options.checkOnly) return 'The deploy is not a validation (checkOnly)';
  if (job.status !== 'Succeeded') return `The validation did not succeed (${job.status})`;
  if (alreadyDeployed) return 'The validation was already deployed';
  return undefined;
}

const TERMINAL_STATUSES: ReadonlySet<DeployStatus> = new Set(['Succeeded', 'SucceededPartial', 'Failed', 'Canceled']);

export function isDone(job: DeployJob): boolean {
  return TERMINAL_STATUSES.has(job.status);
}

export interface DeployServiceOptions {
  readonly limits: MetadataLimits;
  readonly faults: FaultInjector;
  /** How long a deploy takes from submission to done, read when each deploy starts. */
  readonly latencyMs: () => number;
  /** Called after a deploy changed an org. */
  readonly onOrgChanged: (org: Org) => void;
  /** Flow versions: a deployed flow becomes a new version. */
  readonly flows: FlowVersions;
  readonly onError: (error: unknown) => void;
}

/** Share of the latency a deploy spends Pending before it starts. */
const PENDING_SHARE = 0.3;

/** What a deploy does beyond writing files as sent (Salesforce's semantics: see irreversible.ts); seeds do neither. */
export interface DeploySemantics {
  readonly written: (existing: ComponentRecord | undefined, candidate: DeployCandidate) => ComponentContent;
  readonly deleted: (record: ComponentRecord) => void;
}

/** A Salesforce deploy: picklist values it omits stay inactive, deleted fields go to the org's Deleted Fields. */
export function salesforceDeploy(org: Org, date: string): DeploySemantics {
  return {
    written: (existing, candidate) => writtenContent(existing, candidate.content, candidate.type),
    deleted: (record) => org.deletedFields.record(record, date),
  };
}

/** Writes a plan's operations into the store. */
export function applyOperations(
  store: ComponentStore,
  operations: readonly DeployOperation[],
  audit: Audit,
  semantics?: DeploySemantics,
): void {
  const deleted: ComponentRef[] = [];
  for (const op of operations) {
    if (op.kind === 'delete') {
      const record = store.get(op.ref);
      store.delete(op.ref);
      deleted.push(op.ref);
      if (record) semantics?.deleted(record);
      continue;
    }
    const { candidate } = op;
    const existing = store.get(candidate);
    store.put({
      type: candidate.type,
      fullName: candidate.fullName,
      id: op.id,
      content: semantics ? semantics.written(existing, candidate) : candidate.content,
      parent: candidate.parent,
      created: existing?.created ?? audit,
      lastModified: audit,
    });
  }
  dropPermissionsAbout(store, deleted);
}

/** The components a plan writes. */
export function writesOf(operations: readonly DeployOperation[]): DeployCandidate[] {
  return operations.flatMap((op) => (op.kind === 'write' ? [op.candidate] : []));
}

async function wait(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

interface PauseGate {
  readonly released: Promise<void>;
  readonly release: () => void;
}

export class DeployService {
  private readonly jobs = new Map<string, DeployJob>();
  private readonly histories = new Map<string, DeployJob[]>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly gates = new Map<string, PauseGate>();
  private readonly aborts = new Map<string, AbortController>();
  private readonly closing = new AbortController();
  /** Zips of validations that may still be quick-deployed. */
  private readonly validations = new Map<string, Buffer>();
  private readonly quickDeployed = new Set<string>();

  constructor(private readonly options: DeployServiceOptions) {}

  submit(org: Org, zip: Buffer, deployOptions: DeployOptions): DeployJob {
    const now = new Date().toISOString();
    const job: DeployJob = {
      id: newSalesforceId('0Af'),
      orgId: org.id,
      options: deployOptions,
      createdDate: now,
      createdBy: { date: now, userId: org.user.id, userName: org.user.displayName },
      status: 'Pending',
      lastModifiedDate: now,
      numberComponentsTotal: 0,
    };
    const abort = new AbortController();
    this.jobs.set(job.id, job);
    this.aborts.set(job.id, abort);
    this.history(org.id).push(job);
    const signal = AbortSignal.any([abort.signal, this.closing.signal]);
    const previous = this.queues.get(org.id) ?? Promise.resolve();
    if (deployOptions.checkOnly) this.validations.set(job.id, zip);
    const next = previous.then(() => this.run(org, job, zip, signal)).catch((error: unknown) => this.fail(job, error));
    this.queues.set(org.id, next);
    return job;
  }

  find(org: Org, id: string): DeployJob | undefined {
    const job = this.jobs.get(id);
    return job && job.orgId === org.id ? job : undefined;
  }

  /**
   * deployRecentValidation: deploys the components of a succeeded validation, once. Returns the new deploy,
   * or why it cannot (the caller answers a fault).
   */
  deployValidation(org: Org, validationId: string): DeployJob | string {
    const validation = this.find(org, validationId);
    const refusal = quickDeployRefusal(validation, this.quickDeployed.has(validationId));
    const zip = this.validations.get(validationId);
    if (refusal || !validation || !zip) return refusal ?? 'invalid id';
    this.quickDeployed.add(validationId);
    this.validations.delete(validationId);
    const job = this.submit(org, zip, { ...validation.options, checkOnly: false });
    job.validatedDeployRequestId = validationId;
    return job;
  }

  /** Cancels a deploy that is not done; nothing of it is applied. Returns the job, or undefined if unknown. */
  cancel(org: Org, id: string): DeployJob | undefined {
    const job = this.find(org, id);
    if (!job || isDone(job)) return job;
    const now = new Date().toISOString();
    job.status = 'Canceled';
    job.completedDate = now;
    job.lastModifiedDate = now;
    job.canceledBy = { date: now, userId: org.user.id, userName: org.user.displayName };
    this.aborts.get(id)?.abort();
    this.aborts.delete(id);
    return job;
  }

  /** Every deploy the org received (validations included), as the Tooling API's DeployRequest lists them. */
  requests(orgId: string): DeployJob[] {
    return [...this.jobs.values()].filter((job) => job.orgId === orgId);
  }

  history(orgId: string): DeployJob[] {
    let list = this.histories.get(orgId);
    if (!list) {
      list = [];
      this.histories.set(orgId, list);
    }
    return list;
  }

  clearHistory(orgId: string): void {
    this.histories.set(
      orgId,
      this.history(orgId).filter((job) => !isDone(job)),
    );
  }

  /** Deploys of the org stop in InProgress before finishing until `release`. */
  pause(orgId: string): void {
    if (this.gates.has(orgId)) return;
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    this.gates.set(orgId, { released, release });
  }

  release(orgId: string): void {
    this.gates.get(orgId)?.release();
    this.gates.delete(orgId);
  }

  close(): void {
    this.closing.abort();
  }

  private async run(org: Org, job: DeployJob, zip: Buffer, signal: AbortSignal): Promise<void> {
    const latency = this.options.latencyMs();
    // Asked after every wait: the job may have been canceled, or the emulator closed, meanwhile.
    const over = () => isDone(job) || signal.aborted;
    await wait(latency * PENDING_SHARE, signal);
    if (over()) return;
    job.status = 'InProgress';
    job.startDate = job.lastModifiedDate = new Date().toISOString();

    const prepared = await prepareDeploy(zip, this.options.limits, this.options.faults.forDeploy(org.id));
    if (over()) return;
    if (isLimitErrorResult(prepared)) {
      this.finish(job, 'Failed', { error: prepared });
      return;
    }
    job.numberComponentsTotal = prepared.candidates.length + prepared.deletions.length + prepared.failures.length;
    const durationMs = latency * (1 - PENDING_SHARE);
    job.progress = { startedAt: Date.now(), durationMs };
    await wait(durationMs, signal);
    const gate = this.gates.get(org.id);
    if (gate) await Promise.race([gate.released, untilAborted(signal)]);
    if (over()) return;

    const now = new Date().toISOString();
    const plan = planDeploy(
      {
        ...prepared,
        candidates: overlayProfiles(prepared.candidates, org.components),
        rollbackOnError: job.options.rollbackOnError,
        now,
        newId: (type) => newSalesforceId(idPrefixOf(type)),
      },
      org.components,
    );
    if (!job.options.checkOnly && plan.operations.length > 0) {
      const flows = this.options.flows.beginDeploy(org, writesOf(plan.operations));
      applyOperations(
        org.components,
        plan.operations,
        { date: now, userId: org.user.id, userName: org.user.displayName },
        salesforceDeploy(org, now),
      );
      flows.finish();
      this.options.onOrgChanged(org);
    }
    this.finish(job, plan.status, { plan });
  }

  private finish(job: DeployJob, status: DeployStatus, outcome: Pick<DeployJob, 'plan' | 'error'>): void {
    const now = new Date().toISOString();
    Object.assign(job, outcome, { status, completedDate: now, lastModifiedDate: now, progress: undefined });
    if (status !== 'Succeeded') this.validations.delete(job.id);
    if (outcome.plan) job.numberComponentsTotal = outcome.plan.numberComponentsTotal;
    this.aborts.delete(job.id);
  }

  private fail(job: DeployJob, error: unknown): void {
    this.options.onError(error);
    if (!isDone(job)) {
      this.finish(job, 'Failed', {
        error: { errorStatusCode: 'UNKNOWN_EXCEPTION', errorMessage: `UNKNOWN_EXCEPTION: ${(error as Error).message}` },
      });
    }
  }
}
