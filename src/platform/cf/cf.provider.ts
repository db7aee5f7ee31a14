import {
  stagePackageVersion,
  StageFailed,
  StageWait,
  type InstanceView,
  type PlatformProvider,
  type RecordedStage,
  type StageContext,
  type StageHealth,
} from '../provider.js';
import type { PackageSource } from '../packages/package-source.js';
import {
  CfApiError,
  CfAuthError,
  CfClient,
  CfUnreachableError,
  type CfApp,
  type CfBuild,
  type CfDeployment,
  type CfPackage,
  type CfRevision,
  type V3Resource,
} from './cf-client.js';
import { loginOf, parseCfConnection } from './cf-connection.js';
import { driftSentences } from './cf-drift.js';
import {
  ARTIFACT_ANNOTATION,
  artifactName,
  stepLabels,
  stepSelector,
  type CfData,
  type CfOutputs,
} from './cf-records.js';
import { parseCfSpec, type CfSpec } from './cf-spec.js';
import { canaryNext, deploymentHealth } from './deployment-status.js';

type Recorded = RecordedStage<CfSpec, CfData, CfOutputs>;

export interface CfProviderOptions {
  packages: PackageSource;
  /** Attempts in a row that get no answer from CF before the stage gives up (default 10). */
  maxUnanswered?: number;
  /** How long a StageWait asks the engine to wait, in milliseconds (default 1000). */
  waitMs?: number;
  /** Called once per request sent (the bench counts calls). */
  onRequest?: (method: string, path: string) => void;
}

const SHA_ANNOTATION = 'backtrack.dev/sha256';
const SAME_AS_DEPLOYED = /same as the deployed revision/i;

/** Which call of a stage the state keys belong to: a rollback keeps its own keys beside the deploy's. */
type Phase = 'deploy' | 'rollback';

/**
 * The `cf` platform provider (docs/cf-provider.md, ADR 0019): Cloud Foundry v3 through src/platform/cf/cf-client.ts.
 * Deploy = a bits package of the stage's package (from the package store) → upload → build → `POST /v3/deployments`
 * with the droplet; rollback = `POST /v3/deployments {revision}` back to the revision `capture` recorded (or stopping
 * the app when it had never run). Every package, build, deployment and continue is recorded in the stage state before
 * it is sent and labelled with the job and stage, so a resumed call finds it again instead of making a second one.
 * The waits (upload processing, staging, canary pauses) are StageWaits: the call returns and is resumed later.
 */
export class CfProvider implements PlatformProvider<CfSpec, CfData, CfOutputs> {
  readonly kind = 'cf' as const;

  constructor(private readonly options: CfProviderOptions) {}

  parseSpec(spec: unknown): CfSpec {
    return parseCfSpec(spec);
  }

  artifactOf(spec: CfSpec): string | null {
    return spec.version === null ? null : artifactName(spec.package, spec.version);
  }

  async capture(ctx: StageContext, spec: CfSpec): Promise<CfData> {
    return this.guarded(ctx, null, 'read the app', async (client) => {
      const app = await this.findApp(client, spec);
      const droplet = await client.find(`/v3/apps/${app.guid}/droplets/current`);
      const deployed =
        app.state === 'STARTED' ? await client.all<CfRevision>(`/v3/apps/${app.guid}/revisions/deployed`) : [];
      // While a deployment rolls, two revisions run: the settled one is the older.
      const settled = [...deployed].sort((a, b) => a.created_at.localeCompare(b.created_at))[0];
      const revision = settled
        ? { guid: settled.guid, version: settled.version, dropletGuid: settled.droplet.guid }
        : null;
      const artifact = revision ? await this.artifactOfDroplet(client, revision.dropletGuid) : null;
      ctx.log(
        'info',
        revision
          ? `App ${spec.app} runs revision ${revision.version}${artifact ? ` (${artifact})` : ''}: captured`
          : `App ${spec.app} is ${app.state} with no deployed revision: a rollback stops it again`,
      );
      return {
        appGuid: app.guid,
        appState: app.state,
        dropletGuid: droplet?.guid ?? null,
        revision,
        artifact,
      };
    });
  }

  isFirstDeployment(data: CfData): boolean {
    return data.revision === null;
  }

  describeRollbackTarget(data: CfData): string | null {
    if (!data.revision) return 'the app stopped, as before its first deployment';
    return `revision ${data.revision.version}${data.artifact ? ` (${data.artifact})` : ''}`;
  }

  async deploy(ctx: StageContext, spec: CfSpec, data: CfData): Promise<CfOutputs> {
    const version = stagePackageVersion(ctx.release, spec.package, spec.version, 'cf');
    const artifact = artifactName(spec.package, version);
    return this.guarded(ctx, 'deploy', `deploy ${artifact} to ${spec.app}`, async (client) => {
      const app = data.appGuid;
      const labels = stepLabels(ctx.jobId, ctx.stageId);
      const selector = stepSelector(ctx.jobId, ctx.stageId);
      if (ctx.resumed)
        ctx.log('info', 'Resumed: what was recorded as sent is read back; only what is not done is sent.');
      const bytes = await this.options.packages.bytes(spec.package, version);
      if (bytes.format !== 'zip')
        throw new StageFailed(
          `Package ${artifact} is a ${bytes.format}; Cloud Foundry takes a zip as a bits package: upload the app as a .zip.`,
        );

      if (!('deploy.packageSent' in ctx.state)) {
        const running = await this.alreadyRunning(client, app, artifact, bytes.sha256);
        if (running) {
          ctx.log(
            'info',
            `App ${spec.app} already runs ${artifact} (revision ${running.revisionVersion}): nothing to send.`,
          );
          return { ...running, artifact };
        }
      }

      let pkg = await this.createOnce(
        ctx,
        client,
        'deploy.package',
        `/v3/packages?app_guids=${app}&label_selector=${selector}`,
        '/v3/packages',
        () =>
          client.post<CfPackage>('/v3/packages', {
            type: 'bits',
            relationships: { app: { data: { guid: app } } },
            metadata: { labels, annotations: { [ARTIFACT_ANNOTATION]: artifact, [SHA_ANNOTATION]: bytes.sha256 } },
          }),
      );
      if (pkg.state === 'AWAITING_UPLOAD') {
        if (ctx.state['deploy.uploadSent'])
          ctx.log(
            'info',
            `The upload recorded earlier never reached CF (package ${pkg.guid} still awaits its bits): sending it.`,
          );
        await ctx.saveState({ 'deploy.uploadSent': true });
        ctx.log('info', `Uploading ${artifact} (${bytes.content.length} bytes) as package ${pkg.guid}`);
        pkg = await client.uploadBits(pkg.guid, bytes.content);
      }
      if (pkg.state === 'PROCESSING_UPLOAD' || pkg.state === 'COPYING')
        throw new StageWait(`CF is processing package ${pkg.guid}`, this.waitMs);
      if (pkg.state !== 'READY')
        throw new StageFailed(`Package ${pkg.guid} of ${artifact} is ${pkg.state} on CF: it cannot be staged.`);

      const build = await this.createOnce(
        ctx,
        client,
        'deploy.build',
        `/v3/builds?package_guids=${pkg.guid}&label_selector=${selector}`,
        '/v3/builds',
        () => client.post<CfBuild>('/v3/builds', { package: { guid: pkg.guid }, metadata: { labels } }),
      );
      if (build.state === 'STAGING')
        throw new StageWait(`CF is staging ${artifact} (build ${build.guid})`, this.waitMs);
      if (build.state !== 'STAGED' || !build.droplet?.guid)
        throw new StageFailed(`Staging ${artifact} failed on CF: ${build.error ?? build.state}. Nothing was deployed.`);
      const dropletGuid = build.droplet.guid;

      let deployment = await this.createOnce(
        ctx,
        client,
        'deploy.deployment',
        `/v3/deployments?app_guids=${app}&label_selector=${selector}`,
        '/v3/deployments',
        () =>
          client.post<CfDeployment>('/v3/deployments', {
            droplet: { guid: dropletGuid },
            strategy: spec.strategy,
            options: {
              max_in_flight: spec.maxInFlight,
              ...(spec.canarySteps ? { canary: { steps: spec.canarySteps.map((w) => ({ instance_weight: w })) } } : {}),
            },
            relationships: { app: { data: { guid: app } } },
            metadata: { labels },
          }),
      );
      if (spec.strategy === 'canary') deployment = await this.continueCanary(ctx, client, deployment);
      return outputsOf(app, deployment, dropletGuid, artifact);
    });
  }

  /** Continues each canary pause once (recorded before it is sent); waits while the next pause is ahead. */
  private async continueCanary(ctx: StageContext, client: CfClient, deployment: CfDeployment): Promise<CfDeployment> {
    const continued = Number(ctx.state['deploy.canaryContinued'] ?? 0);
    const next = canaryNext(deployment, continued);
    if (next.action === 'done') return deployment;
    if (next.action === 'wait') throw new StageWait(next.reason, this.waitMs);
    if (continued >= next.step)
      ctx.log('info', `The continue of canary step ${next.step} recorded earlier never took effect: sending it.`);
    await ctx.saveState({ 'deploy.canaryContinued': next.step });
    ctx.log('info', `Canary step ${next.step} passed its health check: continuing the deployment`);
    const after = await client.post<CfDeployment>(`/v3/deployments/${deployment.guid}/actions/continue`);
    const then = canaryNext(after, next.step);
    if (then.action === 'done') return after;
    throw new StageWait(then.action === 'wait' ? then.reason : 'the canary deployment paused again', this.waitMs);
  }

  async status(ctx: StageContext, _spec: CfSpec, outputs: CfOutputs): Promise<StageHealth> {
    const client = this.client(ctx);
    try {
      if (outputs.stopped) {
        const app = await client.get<CfApp>(`/v3/apps/${outputs.appGuid}`);
        return app.state === 'STOPPED' ? { steady: true } : { steady: false, reason: `the app is still ${app.state}` };
      }
      if (outputs.deploymentGuid === null) return { steady: true };
      return deploymentHealth(await client.get<CfDeployment>(`/v3/deployments/${outputs.deploymentGuid}`));
    } catch (error) {
      if (error instanceof CfApiError && error.status === 404)
        return { steady: false, failed: true, reason: `deployment ${outputs.deploymentGuid} is gone from CF` };
      if (error instanceof CfAuthError) return { steady: false, failed: true, reason: error.message };
      return { steady: false, reason: `CF did not answer: ${(error as Error).message}` };
    }
  }

  async drift(ctx: StageContext, recorded: Recorded): Promise<string[]> {
    return this.guarded(ctx, null, 'read the app', async (client) => {
      const guid = recorded.data.appGuid;
      const app = await client.find<CfApp>(`/v3/apps/${guid}`);
      if (!app) return [`App ${recorded.spec.app} is gone from CF.`];
      const droplet = await client.find(`/v3/apps/${guid}/droplets/current`);
      const deployed =
        app.state === 'STARTED' ? await client.all<CfRevision>(`/v3/apps/${guid}/revisions/deployed`) : [];
      return driftSentences(
        {
          name: app.name,
          state: app.state,
          dropletGuid: droplet?.guid ?? null,
          deployedRevisions: deployed.map((r) => ({ guid: r.guid, version: r.version })),
        },
        recorded.outputs,
      );
    });
  }

  async rollback(ctx: StageContext, recorded: Recorded): Promise<CfOutputs> {
    const { data, spec } = recorded;
    return this.guarded(ctx, 'rollback', `roll ${spec.app} back`, async (client) => {
      const app = data.appGuid;
      if (ctx.resumed)
        ctx.log('info', 'Resumed: what was recorded as sent is read back; only what is not done is sent.');
      const stopped = {
        appGuid: app,
        deploymentGuid: null,
        dropletGuid: null,
        revisionGuid: null,
        revisionVersion: null,
      };
      if (!data.revision) {
        const live = await client.get<CfApp>(`/v3/apps/${app}`);
        if (live.state === 'STOPPED') ctx.log('info', `App ${spec.app} is stopped, as before its first deployment.`);
        else {
          if (ctx.state['rollback.stopSent']) ctx.log('info', 'The stop recorded earlier did not take: sending it.');
          await ctx.saveState({ 'rollback.stopSent': true });
          ctx.log('info', `App ${spec.app} had never run before this stage: stopping it`);
          await client.post(`/v3/apps/${app}/actions/stop`);
        }
        return { ...stopped, artifact: null, stopped: true };
      }
      const target = data.revision;
      const selector = stepSelector(ctx.jobId, ctx.stageId);
      const recordedDeployment = 'rollback.deploymentSent' in ctx.state;
      if (!recordedDeployment) {
        const revision = await client.find<CfRevision>(`/v3/revisions/${target.guid}`);
        if (!revision?.deployable)
          throw new StageFailed(
            `Revision ${target.version} of ${spec.app} is no longer deployable on CF (its droplet is gone or the revision was pruned). Nothing was sent.`,
          );
      }
      let deployment: CfDeployment;
      try {
        deployment = await this.createOnce(
          ctx,
          client,
          'rollback.deployment',
          `/v3/deployments?app_guids=${app}&label_selector=${selector}`,
          '/v3/deployments',
          () => {
            ctx.log('info', `Deploying revision ${target.version} of ${spec.app} again`);
            return client.post<CfDeployment>('/v3/deployments', {
              revision: { guid: target.guid },
              strategy: 'rolling',
              relationships: { app: { data: { guid: app } } },
              metadata: { labels: stepLabels(ctx.jobId, ctx.stageId) },
            });
          },
        );
      } catch (error) {
        if (!(error instanceof CfApiError && error.status === 422 && SAME_AS_DEPLOYED.test(error.first.detail)))
          throw error;
        ctx.log(
          'info',
          `App ${spec.app} already runs the code and configuration of revision ${target.version}: nothing to send.`,
        );
        return {
          ...stopped,
          dropletGuid: target.dropletGuid,
          revisionGuid: target.guid,
          revisionVersion: target.version,
          artifact: data.artifact,
        };
      }
      return outputsOf(app, deployment, target.dropletGuid, data.artifact);
    });
  }

  async describe(ctx: StageContext, recorded: Recorded): Promise<InstanceView> {
    return this.guarded(ctx, null, 'read the app', async (client) => {
      const guid = recorded.data.appGuid;
      const app = await client.get<CfApp>(`/v3/apps/${guid}`);
      const droplet = await client.find(`/v3/apps/${guid}/droplets/current`);
      const deployed =
        app.state === 'STARTED' ? await client.all<CfRevision>(`/v3/apps/${guid}/revisions/deployed`) : [];
      const newest = [...deployed].sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
      const [latest] = (
        await client.list<CfDeployment>(`/v3/deployments?app_guids=${guid}&order_by=-created_at&per_page=1`)
      ).resources;
      const desired = latest?.options?.web_instances ?? null;
      const done = latest?.status.value === 'FINALIZED' && latest.status.reason === 'DEPLOYED';
      return {
        artifact: droplet ? await this.artifactOfDroplet(client, droplet.guid) : null,
        revision: newest ? String(newest.version) : null,
        ready: app.state === 'STOPPED' ? 0 : done ? desired : null,
        desired: app.state === 'STOPPED' ? 0 : desired,
      };
    });
  }

  private get waitMs(): number {
    return this.options.waitMs ?? 1_000;
  }

  private client(ctx: StageContext): CfClient {
    const connection = parseCfConnection(ctx.target.connection);
    return new CfClient(connection.apiUrl, {
      uaaUrl: connection.uaaUrl,
      login: loginOf(connection),
      skipSslValidation: connection.skipSslValidation,
      signal: ctx.signal,
      onRequest: this.options.onRequest,
    });
  }

  private async findApp(client: CfClient, spec: CfSpec): Promise<CfApp> {
    const [org] = (await client.list(`/v3/organizations?names=${encodeURIComponent(spec.org)}`)).resources;
    if (!org) throw new StageFailed(`Cloud Foundry has no org "${spec.org}" these credentials can see.`);
    const [space] = (
      await client.list(`/v3/spaces?names=${encodeURIComponent(spec.space)}&organization_guids=${org.guid}`)
    ).resources;
    if (!space) throw new StageFailed(`Org "${spec.org}" has no space "${spec.space}" these credentials can see.`);
    const [app] = (await client.list<CfApp>(`/v3/apps?names=${encodeURIComponent(spec.app)}&space_guids=${space.guid}`))
      .resources;
    if (!app)
      throw new StageFailed(
        `Space ${spec.org}/${spec.space} has no app "${spec.app}": create it first (cf create-app ${spec.app}); Backtrack deploys to existing apps only.`,
      );
    return app;
  }

  /**
   * A package, build or deployment made at most once: its guid when recorded; else, when it was recorded as sent, the
   * one CF holds with this job's and stage's labels; else it is recorded as sent, then made, then its guid recorded.
   */
  private async createOnce<T extends V3Resource>(
    ctx: StageContext,
    client: CfClient,
    key: string,
    findPath: string,
    resourcePath: string,
    create: () => Promise<T>,
  ): Promise<T> {
    const guid = ctx.state[`${key}Guid`];
    if (typeof guid === 'string') return client.get<T>(`${resourcePath}/${guid}`);
    if (ctx.state[`${key}Sent`]) {
      const [found] = (await client.list<T>(findPath)).resources;
      if (found) {
        ctx.log(
          'info',
          `Found the ${key.split('.')[1]} ${found.guid} an earlier attempt created: not sending it again.`,
        );
        const counter = `${key.split('.')[0]}.unanswered`;
        await ctx.saveState({ [`${key}Guid`]: found.guid, ...(ctx.state[counter] ? { [counter]: 0 } : {}) });
        return found;
      }
      ctx.log('info', `The ${key.split('.')[1]} recorded as sent earlier never reached CF: sending it now.`);
    }
    await ctx.saveState({ [`${key}Sent`]: true });
    const made = await create();
    // progress made: the attempts that got no answer before it no longer count as "in a row"
    const counter = `${key.split('.')[0]}.unanswered`;
    await ctx.saveState({ [`${key}Guid`]: made.guid, ...(ctx.state[counter] ? { [counter]: 0 } : {}) });
    return made;
  }

  /** What the app runs when it already runs this artifact (same bytes) and no deployment is in flight. */
  private async alreadyRunning(
    client: CfClient,
    app: string,
    artifact: string,
    sha256: string,
  ): Promise<CfOutputs | null> {
    const live = await client.get<CfApp>(`/v3/apps/${app}`);
    if (live.state !== 'STARTED') return null;
    const droplet = await client.find(`/v3/apps/${app}/droplets/current`);
    if (!droplet) return null;
    const pkg = await this.packageOfDroplet(client, droplet);
    const annotations = pkg?.metadata?.annotations ?? {};
    if (annotations[ARTIFACT_ANNOTATION] !== artifact || annotations[SHA_ANNOTATION] !== sha256) return null;
    const deployed = await client.all<CfRevision>(`/v3/apps/${app}/revisions/deployed`);
    if (deployed.length !== 1 || deployed[0]!.droplet.guid !== droplet.guid) return null;
    const [latest] = (
      await client.list<CfDeployment>(`/v3/deployments?app_guids=${app}&order_by=-created_at&per_page=1`)
    ).resources;
    if (latest?.status.value === 'ACTIVE') return null;
    return {
      appGuid: app,
      deploymentGuid: null,
      dropletGuid: droplet.guid,
      revisionGuid: deployed[0]!.guid,
      revisionVersion: deployed[0]!.version,
      artifact,
    };
  }

  private async packageOfDroplet(client: CfClient, droplet: V3Resource): Promise<CfPackage | null> {
    const href = droplet.links.package?.href;
    return typeof href === 'string' ? client.find<CfPackage>(href) : null;
  }

  private async artifactOfDroplet(client: CfClient, dropletGuid: string): Promise<string | null> {
    const droplet = await client.find(`/v3/droplets/${dropletGuid}`);
    const pkg = droplet ? await this.packageOfDroplet(client, droplet) : null;
    const artifact = pkg?.metadata?.annotations?.[ARTIFACT_ANNOTATION];
    return typeof artifact === 'string' ? artifact : null;
  }

  /**
   * Runs a call against CF and turns what CF answers into what the engine understands: a refusal (4xx) is a StageFailed
   * sentence; no answer (a dropped connection, a 5xx, a 429) is a StageWait — the call is resumed and reads back what
   * it recorded as sent — until `maxUnanswered` attempts in a row got none, when the stage fails saying that what was
   * recorded as sent may have been applied (never "nothing was applied").
   */
  private async guarded<T>(
    ctx: StageContext,
    phase: Phase | null,
    what: string,
    body: (client: CfClient) => Promise<T>,
  ): Promise<T> {
    const counter = `${phase ?? 'read'}.unanswered`;
    try {
      const result = await body(this.client(ctx));
      if (phase && ctx.state[counter]) await ctx.saveState({ [counter]: 0 });
      return result;
    } catch (error) {
      if (error instanceof StageWait || error instanceof StageFailed || ctx.signal.aborted) throw error;
      if (error instanceof CfAuthError) throw new StageFailed(error.message);
      if (error instanceof CfApiError && error.status < 500 && error.status !== 429)
        throw new StageFailed(`Cloud Foundry refused to ${what}: ${error.first.detail} (${error.first.title}).`);
      if (!(error instanceof CfApiError || error instanceof CfUnreachableError)) throw error;
      const message = error instanceof CfApiError ? `${error.status} ${error.first.title}` : error.message;
      if (!phase) throw new StageWait(`Cloud Foundry did not answer (${message})`, this.waitMs);
      const attempts = Number(ctx.state[counter] ?? 0) + 1;
      if (attempts >= (this.options.maxUnanswered ?? 10)) {
        const sent = Object.keys(ctx.state).filter((k) => k.startsWith(`${phase}.`) && k.endsWith('Sent'));
        throw new StageFailed(
          `Cloud Foundry did not answer ${attempts} attempts in a row to ${what} (last: ${message}). ` +
            (sent.length
              ? `What was recorded as sent (${sent.map((k) => k.slice(phase.length + 1, -4)).join(', ')}) may have been applied: read the app before going on.`
              : 'Nothing had been sent yet.'),
        );
      }
      await ctx.saveState({ [counter]: attempts });
      throw new StageWait(
        `Cloud Foundry did not answer (${message}): what was sent is read back on the next attempt`,
        this.waitMs,
      );
    }
  }
}

function outputsOf(app: string, deployment: CfDeployment, dropletGuid: string, artifact: string | null): CfOutputs {
  return {
    appGuid: app,
    deploymentGuid: deployment.guid,
    dropletGuid,
    revisionGuid: deployment.revision?.guid ?? null,
    revisionVersion: deployment.revision?.version ?? null,
    artifact,
  };
}
