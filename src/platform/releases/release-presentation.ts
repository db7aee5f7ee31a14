import type { ReleaseDeployment } from './release-history.js';
import type { Release } from './release.entity.js';

/** `Release` of docs/platform-api.md: the snapshot, its pins by name, version and checksum. */
export function presentRelease(release: Release, pipelineName: string) {
  return {
    id: release.id,
    pipeline: { id: release.pipelineId, name: pipelineName },
    version: release.version,
    pipelineVersion: release.pipelineVersion,
    variables: release.variables,
    artifacts: release.artifacts,
    packages: release.packages.map(({ name, version, sha256 }) => ({ name, version, sha256 })),
    createdAt: release.createdAt,
    createdBy: release.createdByName,
  };
}

/** `GET /api/releases/:id`: the release and its deployments, newest first. */
export function presentReleaseWithDeployments(
  release: Release,
  pipelineName: string,
  deployments: ReleaseDeployment[],
) {
  return { ...presentRelease(release, pipelineName), deployments };
}
