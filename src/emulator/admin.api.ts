// The admin API: create and inspect orgs, seed metadata, read deploy history, inject faults.
// The same object backs the /__admin HTTP routes and EmulatorHandle.admin.
import type { ComponentRecord } from './component-store.js';
import { planDeploy } from './deploy-plan.js';
import { packageRoot, prepareFiles, Selection } from './deploy-preparation.js';
import { applyOperations, isDone, writesOf } from './deploy-service.js';
import type { DeletedField } from './irreversible.js';
import type { EmulatorContext } from './emulator-context.js';
import type { ComponentFaultSpec, ConnectionDropSpec, FaultsSnapshot, LatencySpec } from './fault-injector.js';
import { activeVersion, latestVersion, type FlowSettings, type FlowVersionStatus } from './flow-versions.js';
import { SALESFORCE_LIMITS } from './metadata-limits.js';
import { idPrefixOf } from './metadata-types.js';
import type { NewOrgOptions, Org } from './org-registry.js';
import { newSalesforceId } from './salesforce-id.js';
import { readZip } from './zip-io.js';

export interface OrgCredentials {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly password: string;
  readonly accessToken: string;
  readonly instanceUrl: string;
}

/** A component to seed: its files by path inside a metadata package (`classes/A.cls`…). */
export interface SeedComponent {
  /** When given with `fullName`, the files must make this component (checked). */
  readonly type?: string;
  readonly fullName?: string;
  /** path → content: a Buffer, or a string read as `encoding` (utf8 by default). */
  readonly files: Readonly<Record<string, string | Buffer>>;
  readonly encoding?: 'utf8' | 'base64';
}

export interface SeedInput {
  readonly components?: readonly SeedComponent[];
  /** A metadata-format zip (package.xml optional; all its components are seeded). */
  readonly zip?: Buffer;
}

export interface ComponentSummary {
  readonly type: string;
  readonly fullName: string;
  readonly id: string;
  readonly lastModifiedDate: string;
  readonly files: readonly { readonly path: string; readonly sha256: string; readonly size: number }[];
}

export interface ComponentFiles {
  readonly type: string;
  readonly fullName: string;
  readonly files: Readonly<Record<string, Buffer>>;
}

export interface DeploySummary {
  readonly id: string;
  readonly status: string;
  readonly done: boolean;
  readonly checkOnly: boolean;
  readonly createdDate: string;
  readonly completedDate?: string;
  readonly numberComponentsTotal: number;
  readonly numberComponentErrors: number;
}

/** A flow's versions as the Tooling API knows them (FlowDefinition and its Flow records). */
export interface FlowSummary {
  readonly definitionId: string;
  readonly developerName: string;
  readonly activeVersionNumber: number | null;
  readonly latestVersionNumber: number | null;
  readonly versions: readonly {
    readonly id: string;
    readonly versionNumber: number;
    readonly status: FlowVersionStatus;
    readonly pausedInterviews: number;
  }[];
}

export interface DeployHistory {
  readonly count: number;
  readonly deploys: readonly DeploySummary[];
}

/** A request the admin API refuses; `status` is the HTTP status the routes answer. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function summary(record: ComponentRecord): ComponentSummary {
  return {
    type: record.type,
    fullName: record.fullName,
    id: record.id,
    lastModifiedDate: record.lastModified.date,
    files: [...record.content.files].map(([path, data]) => ({
      path,
      sha256: record.content.fileHashes.get(path) as string,
      size: data.length,
    })),
  };
}

export class EmulatorAdmin {
  constructor(private readonly ctx: EmulatorContext) {}

  createOrg(options: NewOrgOptions = {}): OrgCredentials {
    if (options.username && this.ctx.orgs.byUsername(options.username))
      throw new AdminError(409, `Username ${options.username} is already taken`);
    const org = this.ctx.orgs.create(options);
    this.ctx.sessions.register(org.accessToken, org.id);
    this.ctx.changed([org]);
    return this.credentials(org);
  }

  listOrgs(): OrgCredentials[] {
    return this.ctx.orgs.list().map((org) => this.credentials(org));
  }

  getOrg(orgId: string): OrgCredentials {
    return this.credentials(this.org(orgId));
  }

  /** Puts components into the org as they are, without a deploy (no history, no faults). */
  async seed(orgId: string, input: SeedInput): Promise<ComponentSummary[]> {
    const org = this.org(orgId);
    const files = new Map<string, Buffer>();
    if (input.zip) {
      const entries = await readZip(input.zip, SALESFORCE_LIMITS).catch((error: unknown) => {
        throw new AdminError(400, error instanceof Error ? error.message : String(error));
      });
      const root = packageRoot(entries.keys()) ?? '';
      for (const [path, data] of entries) if (path.startsWith(root)) files.set(path.slice(root.length), data);
    }
    for (const component of input.components ?? []) {
      for (const [path, content] of Object.entries(component.files)) {
        files.set(path, Buffer.isBuffer(content) ? content : Buffer.from(content, component.encoding ?? 'utf8'));
      }
    }
    const { candidates, failures } = prepareFiles(files, Selection.everything(), () => undefined);
    for (const { type, fullName } of input.components ?? []) {
      if (type && fullName && !candidates.some((c) => c.type === type && c.fullName === fullName)) {
        throw new AdminError(400, `The files given for ${type} ${fullName} do not make that component`);
      }
    }
    const now = new Date().toISOString();
    const plan = planDeploy(
      {
        candidates,
        deletions: [],
        failures,
        rollbackOnError: true,
        now,
        newId: (type) => newSalesforceId(idPrefixOf(type)),
      },
      org.components,
    );
    if (plan.status === 'Failed') {
      throw new AdminError(
        400,
        plan.failures.map((f) => `${f.componentType || 'file'} ${f.fullName}: ${f.problem}`).join('; '),
      );
    }
    const flows = this.ctx.flows.beginDeploy(org, writesOf(plan.operations));
    applyOperations(org.components, plan.operations, {
      date: now,
      userId: org.user.id,
      userName: org.user.displayName,
    });
    flows.finish();
    this.ctx.changed([org]);
    return candidates.map((c) => summary(org.components.get(c) as ComponentRecord));
  }

  listComponents(orgId: string, type?: string): ComponentSummary[] {
    return this.org(orgId)
      .components.list(type)
      .map(summary)
      .sort((a, b) => (a.type === b.type ? (a.fullName < b.fullName ? -1 : 1) : a.type < b.type ? -1 : 1));
  }

  getComponent(orgId: string, type: string, fullName: string): ComponentFiles | undefined {
    const record = this.org(orgId).components.get({ type, fullName });
    return record && { type, fullName, files: Object.fromEntries(record.content.files) };
  }

  /** The custom fields deploys deleted in the last 15 days, as Setup's Deleted Fields list shows them. */
  deletedFields(orgId: string): DeletedField[] {
    return this.org(orgId).deletedFields.list();
  }

  /** Empties the org's metadata and forgets its finished deploys. */
  resetOrg(orgId: string): void {
    const org = this.org(orgId);
    org.components.clear();
    org.deletedFields.clear();
    this.ctx.flows.reset(org);
    this.ctx.deploys.clearHistory(org.id);
    this.ctx.changed([org]);
  }

  deploys(orgId: string): DeployHistory {
    const deploys = this.ctx.deploys.history(this.org(orgId).id).map((job) => ({
      id: job.id,
      status: job.status,
      done: isDone(job),
      checkOnly: job.options.checkOnly,
      createdDate: job.createdDate,
      completedDate: job.completedDate,
      numberComponentsTotal: job.numberComponentsTotal,
      numberComponentErrors: job.plan?.numberComponentErrors ?? 0,
    }));
    return { count: deploys.length, deploys };
  }

  failComponent(spec: ComponentFaultSpec): void {
    this.ctx.faults.failComponent(spec);
  }

  dropConnections(spec: ConnectionDropSpec): void {
    this.ctx.faults.dropConnections(spec);
  }

  addLatency(spec: LatencySpec): void {
    this.ctx.faults.addLatency(spec);
  }

  faults(): FaultsSnapshot {
    return this.ctx.faults.snapshot();
  }

  /** Clears every injected fault and releases paused deploys. */
  clearFaults(): void {
    this.ctx.faults.clear();
    for (const org of this.ctx.orgs.list()) this.ctx.deploys.release(org.id);
  }

  /** How long deploys and retrieves take from Pending to done, from now on. */
  setLatency(ms: number): void {
    this.ctx.latencyMs = ms;
  }

  /** Ends one session (when `token` is given) or all sessions of the org; returns how many ended. */
  expireSessions(orgId: string, token?: string): number {
    const org = this.org(orgId);
    const count =
      token === undefined
        ? this.ctx.sessions.expireOrg(org.id)
        : this.ctx.sessions.orgOf(token) === org.id && this.ctx.sessions.expire(token)
          ? 1
          : 0;
    this.ctx.changed();
    return count;
  }

  /** A fresh standing access token for the org (after its sessions were expired). */
  issueAccessToken(orgId: string): string {
    const org = this.org(orgId);
    org.accessToken = this.ctx.sessions.issue(org.id);
    this.ctx.changed([org]);
    return org.accessToken;
  }

  /** Holds the org's deploys in InProgress, before anything is applied, until `releaseDeploys`. */
  pauseDeploys(orgId: string): void {
    this.ctx.deploys.pause(this.org(orgId).id);
  }

  releaseDeploys(orgId: string): void {
    this.ctx.deploys.release(this.org(orgId).id);
  }

  /** The org's flow settings ("Deploy processes and flows as active"). */
  flowSettings(orgId: string, update: Partial<FlowSettings> = {}): FlowSettings {
    const org = this.org(orgId);
    if (update.deployFlowsAsActive !== undefined && typeof update.deployFlowsAsActive !== 'boolean')
      throw new AdminError(400, 'deployFlowsAsActive must be true or false');
    return this.ctx.flows.updateSettings(org, update);
  }

  flow(orgId: string, name: string): FlowSummary | undefined {
    const definition = this.ctx.flows.definition(this.org(orgId), name);
    if (!definition) return undefined;
    return {
      definitionId: definition.id,
      developerName: definition.developerName,
      activeVersionNumber: activeVersion(definition)?.versionNumber ?? null,
      latestVersionNumber: latestVersion(definition)?.versionNumber ?? null,
      versions: definition.versions.map((v) => ({
        id: v.id,
        versionNumber: v.versionNumber,
        status: v.status,
        pausedInterviews: v.pausedInterviews,
      })),
    };
  }

  /** Gives a flow version paused interviews (Salesforce then refuses to delete it); 0 clears them. */
  setPausedInterviews(orgId: string, name: string, versionNumber: number, count: number): FlowSummary {
    if (!Number.isInteger(count) || count < 0) throw new AdminError(400, 'count must be a whole number ≥ 0');
    if (!this.ctx.flows.setPausedInterviews(this.org(orgId), name, versionNumber, count))
      throw new AdminError(404, `No version ${versionNumber} of flow ${name}`);
    return this.flow(orgId, name) as FlowSummary;
  }

  private org(orgId: string): Org {
    const org = this.ctx.orgs.get(orgId);
    if (!org) throw new AdminError(404, `No org with id ${orgId}`);
    return org;
  }

  private credentials(org: Org): OrgCredentials {
    return {
      id: org.id,
      name: org.name,
      username: org.user.username,
      password: org.user.password,
      accessToken: org.accessToken,
      instanceUrl: this.ctx.instanceUrl(),
    };
  }
}
