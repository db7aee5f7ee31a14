// The foundation's state — orgs, spaces, apps, packages, builds, droplets, revisions, deployments — and how it moves
// over simulated time: uploads finish processing, builds stage into droplets, deployments roll out.
import { randomUUID } from 'node:crypto';
import type { SimulatedClock } from './clock.js';
import {
  advance,
  cancel,
  deployedAtOnce,
  DeploymentStatusError,
  resume,
  startProgress,
  supersede,
  type Progress,
  type Strategy,
} from './deployment-rules.js';
import { notFound, unprocessable } from './errors.js';
import { revisionForDroplet, revisionForRollback, type RevisionDecision } from './revision-rules.js';

interface Stamped {
  readonly guid: string;
  readonly createdAt: number;
  updatedAt: number;
}
/** `metadata` given when a package, build or deployment is created (labels and annotations, strings only). */
export interface Metadata {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}
export const NO_METADATA: Metadata = { labels: {}, annotations: {} };
export interface Org extends Stamped {
  readonly name: string;
}
export interface Space extends Stamped {
  readonly name: string;
  readonly orgGuid: string;
}
export interface App extends Stamped {
  readonly name: string;
  readonly spaceGuid: string;
  state: 'STARTED' | 'STOPPED';
  instances: number;
  currentDropletGuid: string | null;
  /** The revision every web instance runs once no deployment is in flight. */
  deployedRevisionGuid: string | null;
}
export type PackageState = 'AWAITING_UPLOAD' | 'PROCESSING_UPLOAD' | 'READY' | 'FAILED';
export interface Package extends Stamped {
  readonly appGuid: string;
  readonly metadata: Metadata;
  state: PackageState;
  readyAt: number | null;
  checksum: string | null;
}
export interface Build extends Stamped {
  readonly appGuid: string;
  readonly metadata: Metadata;
  readonly packageGuid: string;
  state: 'STAGING' | 'STAGED' | 'FAILED';
  readonly stagedAt: number;
  dropletGuid: string | null;
}
export interface Droplet extends Stamped {
  readonly appGuid: string;
  readonly packageGuid: string;
  readonly state: 'STAGED';
}
export interface Revision extends Stamped {
  readonly appGuid: string;
  readonly version: number;
  readonly dropletGuid: string;
  readonly description: string;
}
export interface Deployment extends Stamped {
  readonly appGuid: string;
  readonly metadata: Metadata;
  readonly dropletGuid: string;
  readonly previousDropletGuid: string | null;
  readonly revisionGuid: string;
  readonly previousRevisionGuid: string | null;
  readonly processGuid: string;
  readonly options: { readonly maxInFlight: number; readonly canaryWeights?: readonly number[] };
  progress: Progress;
}

export interface DeploymentRequest {
  readonly appGuid: string;
  readonly dropletGuid?: string;
  readonly revisionGuid?: string;
  readonly strategy: Strategy;
  readonly maxInFlight: number;
  readonly canaryWeights?: readonly number[];
  readonly metadata?: Metadata;
}

export interface FoundationTiming {
  /** Simulated seconds from an upload to READY. */
  readonly processingSeconds: number;
  /** Simulated seconds from a build's creation to STAGED. */
  readonly stagingSeconds: number;
  /** Simulated seconds for a batch of new instances to pass its health check. */
  readonly instanceSeconds: number;
}

/** CF keeps at most this many revisions per app; the oldest go first. */
const MAX_REVISIONS = 100;

const APP_UNUSABLE = 'Unable to use app. Ensure that the app exists and you have access to it.';

export class Foundation {
  readonly orgs = new Map<string, Org>();
  readonly spaces = new Map<string, Space>();
  readonly apps = new Map<string, App>();
  readonly packages = new Map<string, Package>();
  readonly builds = new Map<string, Build>();
  readonly droplets = new Map<string, Droplet>();
  readonly revisions = new Map<string, Revision>();
  readonly deployments = new Map<string, Deployment>();

  constructor(
    private readonly clock: SimulatedClock,
    private readonly timing: FoundationTiming,
    private readonly isUnhealthy: (dropletGuid: string) => boolean,
  ) {}

  private now = () => this.clock.now().getTime();

  private stamp() {
    const now = this.now();
    return { guid: randomUUID(), createdAt: now, updatedAt: now };
  }

  /** The org, space and app of these names, made when missing (seeding; not a v3 call). */
  ensureApp(names: { org: string; space: string; app: string; instances?: number; started?: boolean }): App {
    const org =
      [...this.orgs.values()].find((o) => o.name === names.org) ??
      this.put(this.orgs, { ...this.stamp(), name: names.org });
    const space =
      [...this.spaces.values()].find((s) => s.orgGuid === org.guid && s.name === names.space) ??
      this.put(this.spaces, { ...this.stamp(), name: names.space, orgGuid: org.guid });
    const existing = [...this.apps.values()].find((a) => a.spaceGuid === space.guid && a.name === names.app);
    if (existing) return existing;
    return this.put(this.apps, {
      ...this.stamp(),
      name: names.app,
      spaceGuid: space.guid,
      state: names.started ? 'STARTED' : 'STOPPED',
      instances: names.instances ?? 1,
      currentDropletGuid: null,
      deployedRevisionGuid: null,
    });
  }

  private put<T extends Stamped>(map: Map<string, T>, value: T): T {
    map.set(value.guid, value);
    return value;
  }

  get<T>(map: Map<string, T>, guid: string, what: string): T {
    const found = map.get(guid);
    if (!found) throw notFound(what);
    return found;
  }

  createPackage(appGuid: string, metadata: Metadata = NO_METADATA): Package {
    if (!this.apps.has(appGuid)) throw unprocessable(APP_UNUSABLE);
    return this.put(this.packages, {
      ...this.stamp(),
      appGuid,
      metadata,
      state: 'AWAITING_UPLOAD',
      readyAt: null,
      checksum: null,
    });
  }

  upload(packageGuid: string, checksum: string): Package {
    const pkg = this.get(this.packages, packageGuid, 'Package');
    if (pkg.state !== 'AWAITING_UPLOAD')
      throw unprocessable(`Package must be in AWAITING_UPLOAD state to upload bits; it is ${pkg.state}`);
    pkg.state = 'PROCESSING_UPLOAD';
    pkg.checksum = checksum;
    pkg.readyAt = this.now() + this.timing.processingSeconds * 1000;
    pkg.updatedAt = this.now();
    this.sync();
    return pkg;
  }

  createBuild(packageGuid: string, metadata: Metadata = NO_METADATA): Build {
    const pkg = this.packages.get(packageGuid);
    if (!pkg) throw unprocessable('Unable to use package. Ensure that the package exists and you have access to it.');
    if (pkg.state !== 'READY') throw unprocessable(`Package must be READY to stage; it is ${pkg.state}`);
    const stamp = this.stamp();
    const build = this.put(this.builds, {
      ...stamp,
      appGuid: pkg.appGuid,
      metadata,
      packageGuid,
      state: 'STAGING',
      stagedAt: stamp.createdAt + this.timing.stagingSeconds * 1000,
      dropletGuid: null,
    });
    this.sync();
    return build;
  }

  setCurrentDroplet(appGuid: string, dropletGuid: string): App {
    const app = this.get(this.apps, appGuid, 'App');
    const droplet = this.droplets.get(dropletGuid);
    if (droplet?.appGuid !== appGuid)
      throw unprocessable('Unable to assign current droplet. Ensure the droplet exists and belongs to this app.');
    app.currentDropletGuid = dropletGuid;
    app.updatedAt = this.now();
    return app;
  }

  appRevisions(appGuid: string): Revision[] {
    return [...this.revisions.values()].filter((r) => r.appGuid === appGuid);
  }

  /** Revisions some web instance of the app runs: the settled one and, while a deployment rolls, its new one. */
  deployedRevisions(appGuid: string): Revision[] {
    const app = this.get(this.apps, appGuid, 'App');
    const guids = new Set<string>();
    if (app.state === 'STARTED' && app.deployedRevisionGuid) guids.add(app.deployedRevisionGuid);
    const active = this.activeDeployment(appGuid);
    if (active && active.progress.newInstances > 0) guids.add(active.revisionGuid);
    return [...guids].map((g) => this.revisions.get(g)).filter((r): r is Revision => r !== undefined);
  }

  private activeDeployment(appGuid: string): Deployment | undefined {
    return [...this.deployments.values()].find((d) => d.appGuid === appGuid && d.progress.value === 'ACTIVE');
  }

  private latestRevision(appGuid: string): Revision | undefined {
    return this.appRevisions(appGuid).sort((a, b) => b.createdAt - a.createdAt)[0];
  }

  createDeployment(request: DeploymentRequest): Deployment {
    const app = this.apps.get(request.appGuid);
    if (!app) throw unprocessable(APP_UNUSABLE);
    this.sync();
    const latest = this.latestRevision(app.guid);
    let dropletGuid: string;
    let decision: RevisionDecision;
    if (request.revisionGuid !== undefined) {
      const target = this.revisions.get(request.revisionGuid);
      if (target?.appGuid !== app.guid)
        throw unprocessable('Unable to deploy this revision. Ensure the revision exists and you have access to it.');
      const deployed = app.deployedRevisionGuid ? this.revisions.get(app.deployedRevisionGuid) : undefined;
      const answer = revisionForRollback(latest, deployed, target);
      if (typeof answer === 'string') throw unprocessable(answer);
      dropletGuid = target.dropletGuid;
      decision = answer;
    } else {
      const wanted = request.dropletGuid ?? app.currentDropletGuid;
      if (wanted === null)
        throw unprocessable('Invalid droplet. Please specify a droplet in the request or set it on the app.');
      const droplet = this.droplets.get(wanted);
      if (droplet?.appGuid !== app.guid)
        throw unprocessable('Unable to assign current droplet. Ensure the droplet exists and belongs to this app.');
      dropletGuid = wanted;
      decision = revisionForDroplet(latest, wanted);
    }
    const revision =
      decision.kind === 'reuse'
        ? this.revisions.get(decision.guid)!
        : this.put(this.revisions, {
            ...this.stamp(),
            appGuid: app.guid,
            version: decision.version,
            dropletGuid,
            description: decision.description,
          });
    this.pruneRevisions(app.guid);
    const now = this.now();
    const previous = this.activeDeployment(app.guid);
    if (previous) {
      previous.progress = supersede(previous.progress, now);
      previous.updatedAt = now;
      // The superseded rollout's revision is what the app now runs underneath the new one.
      if (previous.progress.newInstances > 0) app.deployedRevisionGuid = previous.revisionGuid;
    }
    let progress = startProgress(
      {
        strategy: request.strategy,
        targetInstances: app.instances,
        maxInFlight: request.maxInFlight,
        canaryWeights: request.canaryWeights,
      },
      now,
      this.progressTiming(dropletGuid),
    );
    const wasStopped = app.state === 'STOPPED';
    if (wasStopped) progress = deployedAtOnce(progress, now);
    const deployment = this.put(this.deployments, {
      ...this.stamp(),
      appGuid: app.guid,
      metadata: request.metadata ?? NO_METADATA,
      dropletGuid,
      previousDropletGuid: app.currentDropletGuid,
      revisionGuid: revision.guid,
      previousRevisionGuid: app.deployedRevisionGuid,
      processGuid: randomUUID(),
      options: { maxInFlight: request.maxInFlight, canaryWeights: request.canaryWeights },
      progress,
    });
    app.currentDropletGuid = dropletGuid;
    app.updatedAt = now;
    if (wasStopped) {
      app.state = 'STARTED';
      app.deployedRevisionGuid = revision.guid;
    }
    return deployment;
  }

  /** `POST /v3/apps/:guid/actions/stop`: no instance runs any more (the current droplet stays). */
  stopApp(appGuid: string): App {
    this.sync();
    const app = this.get(this.apps, appGuid, 'App');
    const active = this.activeDeployment(appGuid);
    if (active) {
      active.progress = { ...active.progress, value: 'FINALIZED', reason: 'CANCELED', lastStatusChangeAt: this.now() };
      active.updatedAt = this.now();
    }
    app.state = 'STOPPED';
    app.updatedAt = this.now();
    return app;
  }

  private pruneRevisions(appGuid: string): void {
    const all = this.appRevisions(appGuid).sort((a, b) => a.createdAt - b.createdAt);
    for (const old of all.slice(0, Math.max(0, all.length - MAX_REVISIONS))) this.revisions.delete(old.guid);
  }

  cancelDeployment(guid: string): Deployment {
    return this.act(guid, (d, now) => cancel(d.progress, now, this.progressTiming(d.dropletGuid)));
  }

  continueDeployment(guid: string): Deployment {
    return this.act(guid, (d, now) => resume(d.progress, now, this.progressTiming(d.dropletGuid)));
  }

  private act(guid: string, change: (d: Deployment, now: number) => Progress): Deployment {
    this.sync();
    const deployment = this.get(this.deployments, guid, 'Deployment');
    try {
      deployment.progress = change(deployment, this.now());
    } catch (error) {
      if (error instanceof DeploymentStatusError) throw unprocessable(error.message);
      throw error;
    }
    deployment.updatedAt = this.now();
    if (deployment.progress.reason === 'CANCELING') {
      const app = this.apps.get(deployment.appGuid)!;
      app.currentDropletGuid = deployment.previousDropletGuid;
      app.updatedAt = this.now();
    }
    this.sync();
    return deployment;
  }

  private progressTiming(dropletGuid: string) {
    return { instanceSeconds: this.timing.instanceSeconds, healthy: !this.isUnhealthy(dropletGuid) };
  }

  /** Moves every upload, build and deployment on to the current simulated time. */
  sync(): void {
    const now = this.now();
    for (const pkg of this.packages.values())
      if (pkg.state === 'PROCESSING_UPLOAD' && pkg.readyAt !== null && now >= pkg.readyAt) {
        pkg.state = 'READY';
        pkg.updatedAt = pkg.readyAt;
      }
    for (const build of this.builds.values())
      if (build.state === 'STAGING' && now >= build.stagedAt) {
        const droplet = this.put(this.droplets, {
          guid: randomUUID(),
          createdAt: build.stagedAt,
          updatedAt: build.stagedAt,
          appGuid: build.appGuid,
          packageGuid: build.packageGuid,
          state: 'STAGED',
        });
        build.state = 'STAGED';
        build.dropletGuid = droplet.guid;
        build.updatedAt = build.stagedAt;
      }
    for (const deployment of this.deployments.values()) {
      if (deployment.progress.value !== 'ACTIVE') continue;
      const before = deployment.progress;
      deployment.progress = advance(before, now, this.progressTiming(deployment.dropletGuid));
      if (deployment.progress === before) continue;
      deployment.updatedAt = deployment.progress.lastStatusChangeAt;
      const app = this.apps.get(deployment.appGuid)!;
      if (deployment.progress.reason === 'DEPLOYED') app.deployedRevisionGuid = deployment.revisionGuid;
    }
  }

  /** Whether something would still change with time (a stuck deployment of an unhealthy droplet does not count). */
  busy(): boolean {
    this.sync();
    return (
      [...this.packages.values()].some((p) => p.state === 'PROCESSING_UPLOAD') ||
      [...this.builds.values()].some((b) => b.state === 'STAGING') ||
      [...this.deployments.values()].some(
        (d) =>
          d.progress.value === 'ACTIVE' &&
          (d.progress.reason === 'CANCELING' ||
            (d.progress.reason === 'DEPLOYING' && !this.isUnhealthy(d.dropletGuid))),
      )
    );
  }
}
