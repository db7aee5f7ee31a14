// The v3 JSON of each resource: guid, timestamps, metadata, relationships and links the way Cloud Controller
// presents them.
import { timestampOf } from './clock.js';
import { legacyState } from './deployment-rules.js';
import type { App, Build, Deployment, Droplet, Metadata, Org, Package, Revision, Space } from './foundation.js';

const time = (ms: number) => timestampOf(new Date(ms));
const metadata = { labels: {}, annotations: {} };
const metadataOf = (m: Metadata) => ({ labels: { ...m.labels }, annotations: { ...m.annotations } });
const relation = (guid: string | null) => ({ data: guid === null ? null : { guid } });

function common(resource: { guid: string; createdAt: number; updatedAt: number }) {
  return { guid: resource.guid, created_at: time(resource.createdAt), updated_at: time(resource.updatedAt) };
}

export class Presenter {
  constructor(private readonly baseUrl: string) {}

  private href = (path: string) => ({ href: `${this.baseUrl}${path}` });

  org(org: Org) {
    return {
      ...common(org),
      name: org.name,
      suspended: false,
      relationships: { quota: relation(null) },
      metadata,
      links: { self: this.href(`/v3/organizations/${org.guid}`) },
    };
  }

  space(space: Space) {
    return {
      ...common(space),
      name: space.name,
      relationships: { organization: relation(space.orgGuid), quota: relation(null) },
      metadata,
      links: {
        self: this.href(`/v3/spaces/${space.guid}`),
        organization: this.href(`/v3/organizations/${space.orgGuid}`),
      },
    };
  }

  app(app: App) {
    const self = `/v3/apps/${app.guid}`;
    return {
      ...common(app),
      name: app.name,
      state: app.state,
      lifecycle: { type: 'buildpack', data: { buildpacks: [], stack: 'cflinuxfs4' } },
      relationships: { space: relation(app.spaceGuid) },
      metadata,
      links: {
        self: this.href(self),
        space: this.href(`/v3/spaces/${app.spaceGuid}`),
        packages: this.href(`${self}/packages`),
        current_droplet: this.href(`${self}/droplets/current`),
        droplets: this.href(`${self}/droplets`),
        revisions: this.href(`${self}/revisions`),
        deployed_revisions: this.href(`${self}/revisions/deployed`),
      },
    };
  }

  package(pkg: Package) {
    const self = `/v3/packages/${pkg.guid}`;
    return {
      ...common(pkg),
      type: 'bits',
      data: {
        checksum: { type: 'sha256', value: pkg.state === 'READY' ? pkg.checksum : null },
        error: null,
      },
      state: pkg.state,
      relationships: { app: relation(pkg.appGuid) },
      metadata: metadataOf(pkg.metadata),
      links: {
        self: this.href(self),
        upload: { ...this.href(`${self}/upload`), method: 'POST' },
        download: { ...this.href(`${self}/download`), method: 'GET' },
        app: this.href(`/v3/apps/${pkg.appGuid}`),
      },
    };
  }

  build(build: Build) {
    return {
      ...common(build),
      state: build.state,
      staging_memory_in_mb: 1024,
      staging_disk_in_mb: 1024,
      error: null,
      lifecycle: { type: 'buildpack', data: { buildpacks: [], stack: 'cflinuxfs4' } },
      package: { guid: build.packageGuid },
      droplet: build.dropletGuid === null ? null : { guid: build.dropletGuid },
      created_by: { guid: '', name: '', email: '' },
      relationships: { app: relation(build.appGuid) },
      metadata: metadataOf(build.metadata),
      links: {
        self: this.href(`/v3/builds/${build.guid}`),
        app: this.href(`/v3/apps/${build.appGuid}`),
        ...(build.dropletGuid === null ? {} : { droplet: this.href(`/v3/droplets/${build.dropletGuid}`) }),
      },
    };
  }

  droplet(droplet: Droplet) {
    return {
      ...common(droplet),
      state: droplet.state,
      error: null,
      lifecycle: { type: 'buildpack', data: {} },
      execution_metadata: '',
      process_types: { web: 'bundle exec rackup' },
      checksum: null,
      buildpacks: [],
      stack: 'cflinuxfs4',
      image: null,
      relationships: { app: relation(droplet.appGuid) },
      metadata,
      links: {
        self: this.href(`/v3/droplets/${droplet.guid}`),
        package: this.href(`/v3/packages/${droplet.packageGuid}`),
        app: this.href(`/v3/apps/${droplet.appGuid}`),
        assign_current_droplet: {
          ...this.href(`/v3/apps/${droplet.appGuid}/relationships/current_droplet`),
          method: 'PATCH',
        },
      },
    };
  }

  revision(revision: Revision, deployable: boolean) {
    return {
      ...common(revision),
      version: revision.version,
      droplet: { guid: revision.dropletGuid },
      processes: { web: { command: null } },
      sidecars: [],
      description: revision.description,
      deployable,
      relationships: { app: relation(revision.appGuid) },
      metadata,
      links: {
        self: this.href(`/v3/revisions/${revision.guid}`),
        app: this.href(`/v3/apps/${revision.appGuid}`),
        environment_variables: this.href(`/v3/revisions/${revision.guid}/environment_variables`),
      },
    };
  }

  deployment(deployment: Deployment, revisionVersion: number | undefined) {
    const p = deployment.progress;
    const self = `/v3/deployments/${deployment.guid}`;
    return {
      ...common(deployment),
      state: legacyState(p),
      status: {
        value: p.value,
        reason: p.reason,
        details: {
          last_successful_healthcheck: p.lastHealthyAt === null ? null : time(p.lastHealthyAt),
          last_status_change: time(p.lastStatusChangeAt),
          error: null,
        },
        ...(p.strategy === 'canary'
          ? {
              canary: {
                steps: { current: Math.min(p.currentStep, p.canarySteps.length), total: p.canarySteps.length },
              },
            }
          : {}),
      },
      strategy: p.strategy,
      options: {
        max_in_flight: deployment.options.maxInFlight,
        web_instances: p.targetInstances,
        ...(p.strategy === 'canary'
          ? { canary: { steps: (deployment.options.canaryWeights ?? []).map((w) => ({ instance_weight: w })) } }
          : {}),
      },
      droplet: { guid: deployment.dropletGuid },
      previous_droplet: { guid: deployment.previousDropletGuid },
      new_processes: [{ guid: deployment.processGuid, type: 'web' }],
      revision: revisionVersion === undefined ? null : { guid: deployment.revisionGuid, version: revisionVersion },
      relationships: { app: relation(deployment.appGuid) },
      metadata: metadataOf(deployment.metadata),
      links: {
        self: this.href(self),
        app: this.href(`/v3/apps/${deployment.appGuid}`),
        cancel: { ...this.href(`${self}/actions/cancel`), method: 'POST' },
        ...(p.strategy === 'canary' ? { continue: { ...this.href(`${self}/actions/continue`), method: 'POST' } } : {}),
      },
    };
  }
}
