/** One revision of a Helm release, as `helm history -o json` lists it. */
export interface HelmRevision {
  revision: number;
  status: string;
  /** `<chart name>-<chart version>`, e.g. `shop-0.1.0`. */
  chart: string;
  appVersion: string;
  description: string;
}

/** A Deployment the release's manifest holds (its readiness is the release's). */
export interface ReleaseDeployment {
  namespace: string;
  name: string;
}

/** What `capture` recorded: the release as it stood before the deploy (all a rollback uses). */
export interface HelmData {
  release: string;
  namespace: string;
  /** False: the release did not exist (its rollback uninstalls it). */
  existed: boolean;
  /** The highest revision number before the deploy (0 when none): revisions above it came after the capture. */
  latest: number;
  /** The revision the release ran (status deployed) before the deploy: what a rollback returns to; null when none. */
  revision: number | null;
  chart: string | null;
  appVersion: string | null;
}

/** What a deploy or a rollback left: the revision `status`, `drift` and `describe` look at. */
export interface HelmOutputs {
  release: string;
  namespace: string;
  /** The revision the call made or found; null after an uninstall. */
  revision: number | null;
  chart: string | null;
  appVersion: string | null;
  deployments: ReleaseDeployment[];
  /** True when the call uninstalled the release (the rollback of its first deployment). */
  uninstalled: boolean;
}
