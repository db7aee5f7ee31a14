import { loadAllYaml } from '../kubernetes/client-node.js';
import { isObject } from '../../common/json.js';
import type { HelmRevision, ReleaseDeployment } from './helm-records.js';

/** Statuses Helm writes before it applies and replaces once done: another helm call on the release is refused meanwhile. */
export const PENDING_STATUSES = new Set(['pending-install', 'pending-upgrade', 'pending-rollback']);

/** `helm history -o json` as revisions, oldest first; anything unreadable is skipped. */
export function parseHistory(json: string): HelmRevision[] {
  const parsed: unknown = JSON.parse(json.trim() || '[]');
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter(isObject)
    .filter((r) => typeof r.revision === 'number')
    .map((r) => ({
      revision: r.revision as number,
      status: typeof r.status === 'string' ? r.status : 'unknown',
      chart: typeof r.chart === 'string' ? r.chart : '',
      appVersion: typeof r.app_version === 'string' ? r.app_version : '',
      description: typeof r.description === 'string' ? r.description : '',
    }))
    .sort((a, b) => a.revision - b.revision);
}

/** The highest revision, whatever its status (Helm's "current"). */
export function latestRevision(history: HelmRevision[]): HelmRevision | null {
  return history.at(-1) ?? null;
}

/** The revision the release runs now: the highest with status `deployed`. */
export function deployedRevision(history: HelmRevision[]): HelmRevision | null {
  return history.filter((r) => r.status === 'deployed').at(-1) ?? null;
}

export interface DeployMarker {
  jobId: string;
  stageId: string;
  /** A hash of what the revision applies (chart bytes, namespace, values): equal content, equal key. */
  contentKey: string;
}

/**
 * The `--description` Backtrack gives its own upgrades (Helm keeps at most 256 characters): a resumed deploy finds
 * its own revision by job and stage; a second deploy of the same chart and values finds the content key.
 */
export function deployDescription(marker: DeployMarker): string {
  return `Backtrack job ${marker.jobId} stage ${marker.stageId} content ${marker.contentKey}`;
}

export function parseDeployDescription(description: string): DeployMarker | null {
  const match = /^Backtrack job (\S+) stage (\S+) content (\S+)$/.exec(description);
  return match ? { jobId: match[1]!, stageId: match[2]!, contentKey: match[3]! } : null;
}

/** The description Helm itself gives a rollback's revision. */
export function rollbackDescription(revision: number): string {
  return `Rollback to ${revision}`;
}

/** The Deployments a rendered manifest (`helm get manifest`) holds; a manifest without a namespace is the release's. */
export function deploymentsOf(manifest: string, namespace: string): ReleaseDeployment[] {
  const documents = manifest
    .split(/^---[ \t]*$/m)
    .filter((chunk) => chunk.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('#')))
    .flatMap((chunk) => loadAllYaml(chunk) as unknown[]);
  const found = new Map<string, ReleaseDeployment>();
  for (const doc of documents) {
    if (!isObject(doc) || doc.kind !== 'Deployment' || !isObject(doc.metadata)) continue;
    const name = doc.metadata.name;
    if (typeof name !== 'string' || !name) continue;
    const ns =
      typeof doc.metadata.namespace === 'string' && doc.metadata.namespace ? doc.metadata.namespace : namespace;
    found.set(`${ns}/${name}`, { namespace: ns, name });
  }
  return [...found.values()];
}

/** What Instances shows as the artifact: the chart (name-version) and its app version. */
export function chartArtifact(chart: string | null, appVersion: string | null): string | null {
  if (!chart) return null;
  return appVersion ? `${chart} (app ${appVersion})` : chart;
}
