/** What an SSH stage records (docs/ssh-releases.md): all its rollback and the Instances view use. */

/** The release a host ran before the stage, read from its journal and `current` when the stage captured. */
export interface HostRelease {
  release: string;
  path: string;
  package: string;
  packageVersion: string;
  checksum: string;
  filesChecksum: string | null;
  deploymentId: string;
}

/** `capture`: per host (`host:port`), what was live. */
export interface SshData {
  hosts: Record<string, { live: HostRelease | null }>;
}

/** How a host got where it is after a deploy or rollback call. */
export type HostOutcome = 'installed' | 'already installed' | 'switched back' | 'redeployed' | 'removed';

export interface HostOutput {
  host: string;
  /** The release live on the host after the call (null: `current` removed), its folder and package version. */
  live: string | null;
  path: string | null;
  packageVersion: string | null;
  /** The releases the host keeps after retention, newest first (the live one included). */
  retained: string[];
  how: HostOutcome;
  /** Package bytes sent to the host by this call. */
  bytesSent: number;
}

/** `deploy` and `rollback` outputs. */
export interface SshOutputs {
  release: string | null;
  package: string;
  packageVersion: string | null;
  checksum: string | null;
  hosts: HostOutput[];
}

/** The environment variables a step sees about the release and the previous deployment (Octopus's names, BACKTRACK_). */
export interface ReleaseVariables {
  release: string;
  folder: string;
  packageName: string;
  packageVersion: string;
  environment: string;
  previousSuccessfulDeploymentId: string | null;
  previousForEnvironment: string | null;
  currentForEnvironment: string | null;
  previousInstallationPath: string | null;
  previousPackageVersion: string | null;
  rollback: boolean;
}

export function releaseEnvironment(v: ReleaseVariables): Record<string, string> {
  return {
    BACKTRACK_RELEASE: v.release,
    BACKTRACK_RELEASE_PATH: v.folder,
    BACKTRACK_PACKAGE: v.packageName,
    BACKTRACK_PACKAGE_VERSION: v.packageVersion,
    BACKTRACK_ENVIRONMENT: v.environment,
    BACKTRACK_PREVIOUS_SUCCESSFUL_DEPLOYMENT_ID: v.previousSuccessfulDeploymentId ?? '',
    BACKTRACK_RELEASE_PREVIOUS_FOR_ENVIRONMENT: v.previousForEnvironment ?? '',
    BACKTRACK_RELEASE_CURRENT_FOR_ENVIRONMENT: v.currentForEnvironment ?? '',
    BACKTRACK_PREVIOUS_INSTALLATION_PATH: v.previousInstallationPath ?? '',
    BACKTRACK_PREVIOUS_PACKAGE_VERSION: v.previousPackageVersion ?? '',
    BACKTRACK_ROLLBACK: v.rollback ? 'true' : 'false',
  };
}

/**
 * The release to go back to on a host: what it ran before the stage, or — for a host that ran nothing then (added to
 * the infrastructure since) — the release most hosts ran. Null when no host ran anything (a first deployment).
 */
export function rollbackTarget(data: SshData, host: string): HostRelease | null {
  const own = data.hosts[host]?.live;
  if (own) return own;
  const counts = new Map<string, { release: HostRelease; n: number }>();
  for (const { live } of Object.values(data.hosts)) {
    if (!live) continue;
    const key = `${live.release}\u0000${live.packageVersion}`;
    const seen = counts.get(key);
    counts.set(key, { release: seen?.release ?? live, n: (seen?.n ?? 0) + 1 });
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
  return best ? { ...best.release, path: '' } : null;
}
