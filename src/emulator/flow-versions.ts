// Flows and their versions, as Salesforce keeps them: a FlowDefinition per flow (the Metadata API's `Flow`
// fullName, no version in it) holding numbered versions, at most one of them active. A Metadata API deploy adds a
// version; the Tooling API activates, deactivates and deletes versions. The component store holds what a
// Metadata API retrieve returns: the latest version, with its status.
import { nameKey, toContent, type ComponentRef, type ComponentStore } from './component-store.js';
import type { Org } from './org-registry.js';
import { newSalesforceId } from './salesforce-id.js';
import { outlineXml } from './xml-outline.js';

/** Tooling API `Flow.Status`: Draft (never active), Active, Obsolete (was active). */
export type FlowVersionStatus = 'Active' | 'Draft' | 'Obsolete';

export interface FlowVersion {
  /** Tooling API `Flow` id (key prefix 301). */
  readonly id: string;
  readonly versionNumber: number;
  status: FlowVersionStatus;
  /** The files as deployed (metadata format: `flows/Name.flow`). */
  readonly files: ReadonlyMap<string, Buffer>;
  /** Paused interviews of this version (set through the admin API): Salesforce refuses to delete such a version. */
  pausedInterviews: number;
  readonly createdDate: string;
}

export interface FlowDefinition {
  /** Tooling API `FlowDefinition` id (key prefix 300). */
  readonly id: string;
  developerName: string;
  /** Oldest first; numbers are never reused. */
  readonly versions: FlowVersion[];
  lastVersionNumber: number;
}

export interface FlowSettings {
  /**
   * Process Automation Settings "Deploy processes and flows as active": a deployed flow whose file says
   * `<status>Active</status>` becomes the active version. Always allowed in sandboxes, which the emulator's orgs are.
   */
  readonly deployFlowsAsActive: boolean;
}

/** A refusal in Salesforce's REST error shape. */
export interface ToolingError {
  readonly status: number;
  readonly errorCode: string;
  readonly message: string;
}

/** A component a deploy writes: only Flow writes matter here. */
export interface FlowWrite extends ComponentRef {
  readonly content: { readonly files: ReadonlyMap<string, Buffer> };
}

const FLOW = 'Flow';

/**
 * Why a destructive change cannot delete this component; undefined when it can. Salesforce does not delete flows
 * through destructive changes (a known issue): it answers "insufficient access rights on cross-reference id".
 */
export function deletionRefusal(ref: ComponentRef): string | undefined {
  return ref.type === FLOW ? 'insufficient access rights on cross-reference id' : undefined;
}

function topLevelStatus(xml: string): { value: string; start: number; end: number } | undefined {
  try {
    const span = outlineXml(xml).children.find((c) => c.tag === 'status');
    return (
      span && {
        value: xml.slice(span.contentStart, span.contentEnd).trim(),
        start: span.contentStart,
        end: span.contentEnd,
      }
    );
  } catch {
    return undefined;
  }
}

/** The `<status>` a flow file states (the Flow element's own, not a nested one). */
export function fileStatus(files: ReadonlyMap<string, Buffer>): string | undefined {
  for (const data of files.values()) {
    const status = topLevelStatus(data.toString('utf8'));
    if (status) return status.value;
  }
  return undefined;
}

/** The files with the Flow element's `<status>` set to `status` (files without one are left as they are). */
export function withStatus(files: ReadonlyMap<string, Buffer>, status: FlowVersionStatus): Map<string, Buffer> {
  return new Map(
    [...files].map(([path, data]) => {
      const xml = data.toString('utf8');
      const found = topLevelStatus(xml);
      if (!found || found.value === status) return [path, data];
      return [path, Buffer.from(`${xml.slice(0, found.start)}${status}${xml.slice(found.end)}`)];
    }),
  );
}

export function activeVersion(definition: FlowDefinition): FlowVersion | undefined {
  return definition.versions.find((v) => v.status === 'Active');
}

export function latestVersion(definition: FlowDefinition): FlowVersion | undefined {
  return definition.versions.at(-1);
}

export class FlowVersions {
  private readonly byOrg = new Map<string, Map<string, FlowDefinition>>();
  private readonly settingsByOrg = new Map<string, FlowSettings>();

  settings(org: Org): FlowSettings {
    return this.settingsByOrg.get(org.id) ?? { deployFlowsAsActive: true };
  }

  updateSettings(org: Org, settings: Partial<FlowSettings>): FlowSettings {
    const next = { ...this.settings(org), ...settings };
    this.settingsByOrg.set(org.id, next);
    return next;
  }

  /** Every flow of the org (a flow the store holds without versions, seeded or loaded from disk, is version 1). */
  definitions(org: Org): FlowDefinition[] {
    for (const record of org.components.list(FLOW)) this.definition(org, record.fullName);
    return [...this.orgFlows(org).values()];
  }

  definition(org: Org, name: string): FlowDefinition | undefined {
    const flows = this.orgFlows(org);
    const known = flows.get(nameKey(name));
    if (known) return known;
    const record = org.components.get({ type: FLOW, fullName: name });
    if (!record) return undefined;
    const stated = fileStatus(record.content.files);
    const status: FlowVersionStatus = stated === 'Active' ? 'Active' : stated === 'Obsolete' ? 'Obsolete' : 'Draft';
    const definition: FlowDefinition = {
      id: newSalesforceId('300'),
      developerName: record.fullName,
      versions: [
        {
          id: newSalesforceId('301'),
          versionNumber: 1,
          status,
          files: record.content.files,
          pausedInterviews: 0,
          createdDate: record.created.date,
        },
      ],
      lastVersionNumber: 1,
    };
    flows.set(nameKey(name), definition);
    return definition;
  }

  byDefinitionId(org: Org, id: string): FlowDefinition | undefined {
    return this.definitions(org).find((d) => sameId(d.id, id));
  }

  byVersionId(org: Org, id: string): { definition: FlowDefinition; version: FlowVersion } | undefined {
    for (const definition of this.definitions(org)) {
      const version = definition.versions.find((v) => sameId(v.id, id));
      if (version) return { definition, version };
    }
    return undefined;
  }

  /**
   * Called before a deploy's writes reach the store (the flows they replace are read first); `finish` then adds
   * one version per written flow — active when its file says Active and the org deploys flows as active (the
   * active version before becomes Obsolete), otherwise a Draft beside the active one — and puts the latest
   * version, with its status, back into the store.
   */
  beginDeploy(org: Org, writes: readonly FlowWrite[]): { finish: () => void } {
    const flows = writes.filter((w) => w.type === FLOW);
    for (const write of flows) this.definition(org, write.fullName);
    return {
      finish: () => {
        for (const write of flows) this.addVersion(org, write);
      },
    };
  }

  private addVersion(org: Org, write: FlowWrite): void {
    const flowsOfOrg = this.orgFlows(org);
    let definition = flowsOfOrg.get(nameKey(write.fullName));
    if (!definition) {
      definition = { id: newSalesforceId('300'), developerName: write.fullName, versions: [], lastVersionNumber: 0 };
      flowsOfOrg.set(nameKey(write.fullName), definition);
    }
    definition.developerName = write.fullName;
    const activate = fileStatus(write.content.files) === 'Active' && this.settings(org).deployFlowsAsActive;
    if (activate) this.deactivate(definition);
    definition.lastVersionNumber += 1;
    definition.versions.push({
      id: newSalesforceId('301'),
      versionNumber: definition.lastVersionNumber,
      status: activate ? 'Active' : 'Draft',
      files: write.content.files,
      pausedInterviews: 0,
      createdDate: new Date().toISOString(),
    });
    this.sync(org, definition);
  }

  /** FlowDefinition `Metadata.activeVersionNumber`: 0 (or null) deactivates; another number must be a version. */
  setActiveVersion(org: Org, definition: FlowDefinition, versionNumber: number): ToolingError | undefined {
    const target = versionNumber === 0 ? undefined : definition.versions.find((v) => v.versionNumber === versionNumber);
    if (versionNumber !== 0 && !target) {
      return {
        status: 400,
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: `Invalid version number: ${versionNumber}`,
      };
    }
    if (target?.status === 'Active') return undefined;
    this.deactivate(definition);
    if (target) target.status = 'Active';
    this.sync(org, definition);
    return undefined;
  }

  /** Deletes one version (Tooling API `DELETE Flow/{id}`); the last one deleted takes the flow with it. */
  deleteVersion(org: Org, versionId: string): ToolingError | undefined {
    const found = this.byVersionId(org, versionId);
    if (!found) {
      return { status: 404, errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' };
    }
    const { definition, version } = found;
    if (version.status === 'Active') {
      return {
        status: 400,
        errorCode: 'DELETE_FAILED',
        message: `You can't delete an active flow version. Deactivate version ${version.versionNumber} of ${definition.developerName} first.`,
      };
    }
    if (version.pausedInterviews > 0) {
      return {
        status: 400,
        errorCode: 'DELETE_FAILED',
        message:
          `You can't delete version ${version.versionNumber} of ${definition.developerName} because it has ` +
          `${version.pausedInterviews} paused interview(s). Wait for them to resume and finish, or delete them.`,
      };
    }
    definition.versions.splice(definition.versions.indexOf(version), 1);
    this.sync(org, definition);
    return undefined;
  }

  setPausedInterviews(org: Org, name: string, versionNumber: number, count: number): FlowVersion | undefined {
    const version = this.definition(org, name)?.versions.find((v) => v.versionNumber === versionNumber);
    if (version) version.pausedInterviews = count;
    return version;
  }

  reset(org: Org): void {
    this.byOrg.delete(org.id);
  }

  private deactivate(definition: FlowDefinition): void {
    for (const version of definition.versions) if (version.status === 'Active') version.status = 'Obsolete';
  }

  /** The store holds what a retrieve returns: the latest version with its status; no version left, no flow. */
  private sync(org: Org, definition: FlowDefinition): void {
    const store: ComponentStore = org.components;
    const ref = { type: FLOW, fullName: definition.developerName };
    const latest = latestVersion(definition);
    const record = store.get(ref);
    if (!latest) {
      store.delete(ref);
      this.orgFlows(org).delete(nameKey(definition.developerName));
      return;
    }
    if (record) store.put({ ...record, content: toContent(withStatus(latest.files, latest.status)) });
  }

  private orgFlows(org: Org): Map<string, FlowDefinition> {
    let flows = this.byOrg.get(org.id);
    if (!flows) {
      flows = new Map();
      this.byOrg.set(org.id, flows);
    }
    return flows;
  }
}

/** Salesforce ids compare on their first 15 characters (the 18-character form adds a case-safe suffix). */
function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}
