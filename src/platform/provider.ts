import type { InfrastructureKind } from './infrastructures/infrastructure-connection.js';

/**
 * The one narrow interface every platform sits behind (ADR 0014). A provider knows one infrastructure kind; the
 * execution engine (src/platform/executions) knows none. Issues 14 and 15 add providers, never engine code.
 *
 * Idempotency contracts — every provider's contract test checks each of them against its emulator over HTTP:
 * - `parseSpec` is pure: the same input gives the same spec or the same 400 sentence naming the field.
 * - `capture` is read-only: calling it twice changes nothing and returns equal data.
 * - `deploy` records each step in `ctx.state` (through `saveState`) before the outside call that makes it. Applying
 *   the same resolved spec twice converges to the same live state; a resumed call (`ctx.resumed`) reads the target
 *   back before repeating a step whose outcome it cannot see. It returns without waiting for the rollout.
 * - `status` is read-only and answers at once (the engine polls it until the stage's progress deadline).
 * - `drift` is read-only: the sentences saying how the live target differs from what the stage left (none: []).
 * - `rollback` puts back what `capture` recorded. Each step is recorded before it is sent; a resumed rollback reads
 *   the target back and sends only what is not yet done, so it never applies a step twice. It does not wait for the
 *   rollout either (the engine polls `status` with the rollback's outputs).
 * - `runRollbackStep` runs one of the stage's own `rollbackSteps` (resolved with the original execution's values);
 *   running it twice converges like `deploy`.
 * - `describe` is read-only: what runs there now, for the Instances view.
 */
export interface PlatformProvider<Spec = unknown, Data = unknown, Outputs = unknown> {
  readonly kind: InfrastructureKind;
  /** A stage spec from a pipeline definition (expressions still unresolved strings): a 400 naming the field if bad. */
  parseSpec(spec: unknown): Spec;
  /** What a rollback step of this kind looks like (a 400 naming the field if bad); absent: the kind has none. */
  parseRollbackStep?(step: unknown): Record<string, unknown>;
  /** The artifact the resolved spec deploys (a container image, a release version), shown in Instances. */
  artifactOf(spec: Spec): string | null;
  capture(ctx: StageContext, spec: Spec): Promise<Data>;
  /** True when the captured data says the stage creates everything it touches (its rollback removes it all). */
  isFirstDeployment(data: Data): boolean;
  /**
   * Optional: what the captured data puts back, in a few words for `GET /api/executions/:id/rollback` ("revision 3");
   * without it the engine names the artifact the previous execution deployed.
   */
  describeRollbackTarget?(data: Data): string | null;
  deploy(ctx: StageContext, spec: Spec, data: Data): Promise<Outputs>;
  status(ctx: StageContext, spec: Spec, outputs: Outputs): Promise<StageHealth>;
  drift(ctx: StageContext, recorded: RecordedStage<Spec, Data, Outputs>): Promise<string[]>;
  rollback(ctx: StageContext, recorded: RecordedStage<Spec, Data, Outputs>): Promise<Outputs>;
  runRollbackStep?(
    ctx: StageContext,
    step: Record<string, unknown>,
    recorded: RecordedStage<Spec, Data, Outputs>,
  ): Promise<void>;
  describe(ctx: StageContext, recorded: RecordedStage<Spec, Data, Outputs>): Promise<InstanceView>;
}

/** What an execution recorded for one stage: all a rollback may use. */
export interface RecordedStage<Spec, Data, Outputs> {
  spec: Spec;
  data: Data;
  outputs: Outputs;
}

/** `steady: false` with `failed` ends the wait at once (a rollout that can never succeed), otherwise it goes on. */
export type StageHealth = { steady: true } | { steady: false; reason: string; failed?: boolean };

/** What runs on an infrastructure now, as far as one stage's objects tell. */
export interface InstanceView {
  artifact: string | null;
  revision: string | null;
  ready: number | null;
  desired: number | null;
}

/** The infrastructure a stage works on, with its connection opened (never logged, never returned). */
export interface StageTarget {
  id: string;
  name: string;
  environment: string;
  kind: InfrastructureKind;
  /** The unsealed connection (for `salesforce`: `{orgId}`). */
  connection: unknown;
}

export type StageLogLevel = 'info' | 'warn' | 'error';

/** What a provider gets for each call: the target, the stage's own resumable state, a log, and the job's signal. */
export interface StageContext {
  readonly target: StageTarget;
  /** The stage's provider state so far (read it to continue where an earlier attempt stopped). */
  readonly state: Record<string, unknown>;
  /** Persists facts a resumed attempt needs, before they are relied on. */
  saveState(patch: Record<string, unknown>): Promise<void>;
  log(level: StageLogLevel, message: string): void;
  /** True when an earlier attempt already ran part of this call. */
  readonly resumed: boolean;
  /** Aborted when the worker lost the job or is stopping: stop at once, without finishing. */
  readonly signal: AbortSignal;
  /** The execution (or rollback) job this call belongs to, and the stage's id (for child jobs' markers). */
  readonly jobId: string;
  readonly stageId: string;
  /** The person or pipeline who started the job (recorded on child jobs). */
  readonly startedBy: { tokenId: string | null; name: string | null };
  /**
   * What the person asked of the rollback this call belongs to (false for a deploy): `force` goes on despite drift,
   * `acceptDataLoss` lets a rollback delete what holds data (a Salesforce field or object).
   */
  readonly rollbackOptions: { force: boolean; acceptDataLoss: boolean };
  /**
   * For a deployment of a release (issue 14): the release and what it pins; null for an execution of a pipeline's
   * latest version and for a Rollback job (a rollback uses only what the execution recorded).
   */
  readonly release: StageRelease | null;
  /**
   * Values no log line may show: those of the pipeline's variables whose names say they are secret (PASSWORD, SECRET,
   * TOKEN, KEY…). A provider that streams remote output masks them (`maskSecrets`).
   */
  readonly secrets: readonly string[];
}

/**
 * The release a deployment runs (stored in the execution's `jobs.options.release` when it is created, so a resumed
 * worker sees the same facts). `mode: 'rollback'` is Octopus's "redeploy the previous release": steps flagged
 * `skipOnRollback` are skipped and `BACKTRACK_ROLLBACK=true`.
 */
/** The version a release pins of a package, its name matched case-insensitively (as package names are); or null. */
export function pinnedVersion(release: StageRelease, name: string): StageRelease['packages'][string] | null {
  const key = Object.keys(release.packages).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? null : release.packages[key]!;
}

/**
 * The version of package `name` a stage of `kind` deploys: the release's pin when the execution deploys a release,
 * else the spec's own `version`; a StageFailed sentence when neither names one.
 */
export function stagePackageVersion(
  release: StageRelease | null,
  name: string,
  version: string | null,
  kind: string,
): string {
  if (release) {
    const pinned = pinnedVersion(release, name);
    if (!pinned)
      throw new StageFailed(
        `Release ${release.version} pins no version of package "${name}", which this stage deploys.`,
      );
    return pinned.version;
  }
  if (!version)
    throw new StageFailed(
      `A ${kind} stage run outside a release needs spec.version (the version of package "${name}" to deploy).`,
    );
  return version;
}

export interface StageRelease {
  id: string;
  version: string;
  mode: 'deploy' | 'rollback';
  /** The package versions the release pins, by package name. */
  packages: Record<string, { version: string; sha256: string; packageVersionId: string }>;
  /** In this environment when the deployment was created: Octopus's variables about the previous deployment. */
  environment: {
    /** The release of the current (last successful, still standing) deployment here; null before the first. */
    currentRelease: string | null;
    /** The last successful release here other than this one; null when there is none. */
    previousRelease: string | null;
    /** The execution id of the last successful deployment here; null before the first. */
    previousSuccessfulDeploymentId: string | null;
  };
}

/**
 * Thrown by a provider call that cannot go on yet (a child job still running): the engine lets the worker go and
 * calls again later, resumed. Not a failure.
 */
export class StageWait extends Error {
  override readonly name = 'StageWait';
  constructor(
    readonly reason: string,
    readonly retryInMs = 1_000,
  ) {
    super(reason);
  }
}

/** Thrown by a provider when the stage failed for a reason worth showing as is (the stage ends in Exception). */
export class StageFailed extends Error {
  override readonly name = 'StageFailed';
}
