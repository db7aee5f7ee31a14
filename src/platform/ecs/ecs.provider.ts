import type { CreateServiceCommandInput, UpdateServiceCommandInput } from '@aws-sdk/client-ecs';
import { ConnectionCache } from '../connection-cache.js';
import { parseAwsConnection, type AwsConnection } from '../aws/aws-connection.js';
import { ecsSdk } from '../aws/aws-sdk.js';
import {
  StageFailed,
  type InstanceView,
  type PlatformProvider,
  type RecordedStage,
  type StageContext,
  type StageHealth,
} from '../provider.js';
import { driftSentences, serviceIs } from './drift.js';
import { EcsApi, ecsClients, errorText, isEcsRefusal, type EcsClients } from './ecs-client.js';
import { familyOf, revisionOf, type EcsData, type EcsOutputs, type LiveService } from './ecs-records.js';
import { parseEcsSpec, unresolvedField, type EcsSpec } from './ecs-spec.js';
import { rolloutHealth } from './rollout-status.js';
import { containerImage, nextTaskDefinitionInput, registeredBy } from './task-definition.js';

type Recorded = RecordedStage<EcsSpec, EcsData, EcsOutputs>;

/** A resumed deploy looks for the revision it registered among the family's newest revisions. */
const REVISIONS_SEARCHED = 10;

/** State keys (flat: the engine merges patches at the top level). */
const REGISTER_SENT = 'deploy register';
const REGISTERED_ARN = 'deploy taskDefinitionArn';
const CREATE_SENT = 'deploy create';
const UPDATE_SENT = 'deploy update';
const ROLLBACK_UPDATE_SENT = 'rollback update';
const ROLLBACK_DELETE_SENT = 'rollback delete';

export interface EcsProviderOptions {
  /** How long one ECS call may take before it is given up (default 30 s). */
  requestTimeoutMs?: number;
}

/**
 * The `ecs` platform provider (docs/ecs-provider.md, ADR 0017): a service's container gets a new image through a new
 * task definition revision (the captured one with that image) and an UpdateService; a service that does not exist yet
 * is created (its rollback deletes it). Rollback is UpdateService back to the captured task definition, desired count
 * and deployment configuration. Every write is recorded in the stage state before it is sent and every step reads the
 * service first, so a resumed call sends only what is not done; writes are sent once, and a write whose answer was
 * lost is read back and reported as what the service shows, never as "nothing applied".
 */
export class EcsProvider implements PlatformProvider<EcsSpec, EcsData, EcsOutputs> {
  readonly kind = 'ecs' as const;
  private readonly requestTimeoutMs: number;
  private readonly clients: ConnectionCache<AwsConnection, EcsClients>;

  constructor(options: EcsProviderOptions = {}) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.clients = new ConnectionCache(
      (connection) => ecsClients(connection, this.requestTimeoutMs),
      (clients) => {
        clients.reads.destroy();
        clients.writes.destroy();
      },
    );
  }

  parseSpec(spec: unknown): EcsSpec {
    return parseEcsSpec(spec);
  }

  artifactOf(spec: EcsSpec): string | null {
    return spec.image;
  }

  async capture(ctx: StageContext, spec: EcsSpec): Promise<EcsData> {
    const api = await this.api(ctx);
    const live = await this.read(() => api.service(spec.cluster, spec.service), 'DescribeServices');
    const family = spec.taskDefinitionFamily;
    const current = live
      ? await this.read(() => api.taskDefinition(live.taskDefinition), 'DescribeTaskDefinition')
      : null;
    let base = current && familyOf(live!.taskDefinition) === family ? live!.taskDefinition : null;
    if (!base) {
      const latest = await this.read(() => api.taskDefinition(family), 'DescribeTaskDefinition');
      base = typeof latest?.definition.taskDefinitionArn === 'string' ? latest.definition.taskDefinitionArn : null;
    }
    const data: EcsData = {
      cluster: spec.cluster,
      service: spec.service,
      existed: live !== null,
      taskDefinitionArn: live?.taskDefinition ?? null,
      desiredCount: live?.desiredCount ?? null,
      deploymentConfiguration: live?.deploymentConfiguration ?? null,
      image: current ? containerImage(current.definition, spec.containerName) : null,
      baseTaskDefinitionArn: base,
    };
    ctx.log(
      'info',
      live
        ? `ECS service ${spec.cluster}/${spec.service} exists (${revisionOf(live.taskDefinition)}, desired ${live.desiredCount}, ${data.image ?? 'no container ' + spec.containerName}): captured`
        : `ECS service ${spec.cluster}/${spec.service} does not exist yet: the stage creates it (from ${revisionOf(base) ?? 'no revision'})`,
    );
    return data;
  }

  isFirstDeployment(data: EcsData): boolean {
    return !data.existed;
  }

  describeRollbackTarget(data: EcsData): string | null {
    if (!data.existed) return `no service (${data.service} is deleted)`;
    return `${revisionOf(data.taskDefinitionArn)} × ${data.desiredCount ?? 0}`;
  }

  async deploy(ctx: StageContext, spec: EcsSpec, data: EcsData): Promise<EcsOutputs> {
    const unresolved = unresolvedField(spec);
    if (unresolved) throw new StageFailed(`The ecs spec's ${unresolved} is not a usable value once resolved.`);
    const api = await this.api(ctx);
    const name = `ECS service ${spec.cluster}/${spec.service}`;
    if (ctx.resumed)
      ctx.log('info', 'Resumed: the task definition and the service are read back; only what is missing is sent.');
    const arn = await this.taskDefinitionFor(ctx, api, spec, data);
    const live = await this.read(() => api.service(spec.cluster, spec.service), 'DescribeServices');
    const desiredCount = (spec.desiredCount as number | undefined) ?? live?.desiredCount ?? 1;
    const outputs: EcsOutputs = {
      cluster: spec.cluster,
      service: spec.service,
      taskDefinitionArn: arn,
      desiredCount,
      revision: revisionOf(arn),
      image: spec.image,
    };
    if (!live) {
      if (ctx.state[CREATE_SENT] === 'sent')
        ctx.log('warn', `${name} was created by an earlier attempt and is gone: creating it again`);
      const input: CreateServiceCommandInput = {
        cluster: spec.cluster,
        serviceName: spec.service,
        taskDefinition: arn,
        desiredCount,
        ...(spec.launchType ? { launchType: spec.launchType } : {}),
        ...(spec.networkConfiguration ? { networkConfiguration: spec.networkConfiguration } : {}),
        ...(spec.deploymentCircuitBreaker
          ? { deploymentConfiguration: { deploymentCircuitBreaker: spec.deploymentCircuitBreaker } }
          : {}),
      };
      await ctx.saveState({ [CREATE_SENT]: 'sent' });
      const deploymentId = await this.write(ctx, api, 'CreateService', spec, arn, desiredCount, () =>
        api.create(input),
      );
      ctx.log('info', `${name}: created with ${revisionOf(arn)} × ${desiredCount}`);
      return { ...outputs, deploymentId };
    }
    const want = { taskDefinitionArn: arn, desiredCount, circuitBreaker: spec.deploymentCircuitBreaker };
    if (serviceIs(live, want)) {
      ctx.log('info', `${name}: already runs ${revisionOf(arn)} × ${desiredCount}, nothing sent`);
      return outputs;
    }
    if (
      ctx.state[UPDATE_SENT] === arn &&
      live.deployments.some((d) => d.taskDefinition === arn) &&
      live.desiredCount === desiredCount
    ) {
      ctx.log('info', `${name}: the update to ${revisionOf(arn)} sent by an earlier attempt is there, not sent again`);
      return outputs;
    }
    const input: UpdateServiceCommandInput = {
      cluster: spec.cluster,
      service: spec.service,
      taskDefinition: arn,
      desiredCount,
      ...(spec.deploymentCircuitBreaker
        ? { deploymentConfiguration: { deploymentCircuitBreaker: spec.deploymentCircuitBreaker } }
        : {}),
    };
    await ctx.saveState({ [UPDATE_SENT]: arn });
    const deploymentId = await this.write(ctx, api, 'UpdateService', spec, arn, desiredCount, () => api.update(input));
    ctx.log(
      'info',
      `${name}: updated from ${revisionOf(live.taskDefinition)} × ${live.desiredCount} to ${revisionOf(arn)} × ${desiredCount} (${spec.image})`,
    );
    return { ...outputs, deploymentId };
  }

  async status(ctx: StageContext, _spec: EcsSpec, outputs: EcsOutputs): Promise<StageHealth> {
    const api = await this.api(ctx);
    let live: LiveService | null;
    try {
      live = await api.service(outputs.cluster, outputs.service);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return { steady: false, reason: `ECS did not answer DescribeServices (${errorText(error)}); asking again` };
    }
    const name = `ECS service ${outputs.cluster}/${outputs.service}`;
    if (outputs.deleted) return live ? { steady: false, reason: `${name} is still ${live.status}` } : { steady: true };
    if (!live) return { steady: false, failed: true, reason: `${name} is gone` };
    return rolloutHealth(live, {
      taskDefinitionArn: outputs.taskDefinitionArn!,
      desiredCount: outputs.desiredCount,
      deploymentId: outputs.deploymentId ?? null,
    });
  }

  async drift(ctx: StageContext, recorded: Recorded): Promise<string[]> {
    const { cluster, service } = recorded.data;
    const live = await this.read(async () => (await this.api(ctx)).service(cluster, service), 'DescribeServices');
    return driftSentences(recorded.outputs, live);
  }

  async rollback(ctx: StageContext, recorded: Recorded): Promise<EcsOutputs> {
    const { data, spec } = recorded;
    const api = await this.api(ctx);
    const name = `ECS service ${data.cluster}/${data.service}`;
    if (ctx.resumed) ctx.log('info', 'Resumed: the service is read back first; a step already done is not sent again.');
    const live = await this.read(() => api.service(data.cluster, data.service), 'DescribeServices');
    if (!data.existed) {
      const outputs: EcsOutputs = {
        cluster: data.cluster,
        service: data.service,
        taskDefinitionArn: null,
        desiredCount: 0,
        revision: null,
        image: null,
        deleted: true,
      };
      if (!live || live.status === 'DRAINING') {
        ctx.log('info', `${name}: already ${live ? 'being deleted' : 'deleted'}, nothing sent`);
        return outputs;
      }
      await ctx.saveState({ [ROLLBACK_DELETE_SENT]: 'sent' });
      await this.write(ctx, api, 'DeleteService', spec, null, 0, () => api.remove(data.cluster, data.service));
      ctx.log('info', `${name}: deleted (the stage created it); its task definition revisions stay registered`);
      return outputs;
    }
    const arn = data.taskDefinitionArn!;
    const desiredCount = data.desiredCount ?? 0;
    const outputs: EcsOutputs = {
      cluster: data.cluster,
      service: data.service,
      taskDefinitionArn: arn,
      desiredCount,
      revision: revisionOf(arn),
      image: data.image,
    };
    if (!live)
      throw new StageFailed(
        `${name} no longer exists, so there is nothing to put back (it ran ${revisionOf(arn)} × ${desiredCount} before the deploy); nothing was sent.`,
      );
    if (
      serviceIs(live, { taskDefinitionArn: arn, desiredCount, deploymentConfiguration: data.deploymentConfiguration })
    ) {
      ctx.log('info', `${name}: already back on ${revisionOf(arn)} × ${desiredCount}, nothing sent`);
      return outputs;
    }
    await ctx.saveState({ [ROLLBACK_UPDATE_SENT]: 'sent' });
    await this.write(ctx, api, 'UpdateService', spec, arn, desiredCount, () =>
      api.update({
        cluster: data.cluster,
        service: data.service,
        taskDefinition: arn,
        desiredCount,
        ...(data.deploymentConfiguration ? { deploymentConfiguration: data.deploymentConfiguration } : {}),
      }),
    );
    ctx.log(
      'info',
      `${name}: back from ${revisionOf(live.taskDefinition)} × ${live.desiredCount} to ${revisionOf(arn)} × ${desiredCount}${data.image ? ` (${data.image})` : ''}`,
    );
    return outputs;
  }

  async describe(ctx: StageContext, recorded: Recorded): Promise<InstanceView> {
    const api = await this.api(ctx);
    const { cluster, service } = recorded.data;
    const live = await api.service(cluster, service);
    if (!live) return { artifact: null, revision: null, ready: null, desired: null };
    const definition = await api.taskDefinition(live.taskDefinition);
    return {
      artifact: definition ? containerImage(definition.definition, recorded.spec.containerName) : null,
      revision: revisionOf(live.taskDefinition),
      ready: live.runningCount,
      desired: live.desiredCount,
    };
  }

  /**
   * The revision the service should run: the base one when it already has the image; else the one this stage
   * registered (its ARN in the state, or, after an attempt that died between sending and recording, found by the
   * stage's tag); else a new one, recorded before it is sent.
   */
  private async taskDefinitionFor(ctx: StageContext, api: EcsApi, spec: EcsSpec, data: EcsData): Promise<string> {
    const recorded = ctx.state[REGISTERED_ARN];
    if (typeof recorded === 'string') return recorded;
    const family = spec.taskDefinitionFamily;
    if (!data.baseTaskDefinitionArn)
      throw new StageFailed(
        `Task definition family ${family} has no ACTIVE revision to start from: register one with container ${spec.containerName} first. Nothing was sent.`,
      );
    const base = await this.read(() => api.taskDefinition(data.baseTaskDefinitionArn!), 'DescribeTaskDefinition');
    if (!base)
      throw new StageFailed(
        `Task definition ${revisionOf(data.baseTaskDefinitionArn)} cannot be read any more. Nothing was sent.`,
      );
    if (containerImage(base.definition, spec.containerName) === spec.image) {
      ctx.log(
        'info',
        `Task definition ${revisionOf(data.baseTaskDefinitionArn)} already has ${spec.image}: no new revision`,
      );
      await ctx.saveState({ [REGISTERED_ARN]: data.baseTaskDefinitionArn });
      return data.baseTaskDefinitionArn;
    }
    const input = nextTaskDefinitionInput(base.definition, spec.containerName, spec.image, ctx.stageId);
    if (!input)
      throw new StageFailed(
        `Task definition ${revisionOf(data.baseTaskDefinitionArn)} has no container named ${spec.containerName}. Nothing was sent.`,
      );
    if (ctx.state[REGISTER_SENT] === 'sent') {
      const found = await this.findRegistered(api, family, ctx.stageId);
      if (found) {
        ctx.log('info', `Task definition ${revisionOf(found)} registered by an earlier attempt: not registered again`);
        await ctx.saveState({ [REGISTERED_ARN]: found });
        return found;
      }
    }
    await ctx.saveState({ [REGISTER_SENT]: 'sent' });
    let arn: string;
    try {
      arn = await api.register(input);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const found = isEcsRefusal(error)
        ? null
        : await this.findRegistered(api, family, ctx.stageId).catch(() => undefined);
      if (found) arn = found;
      else
        throw new StageFailed(
          found === null
            ? `ECS did not register the new revision of ${family} (${errorText(error)}); no revision of this stage is registered and the service was not changed.`
            : `ECS did not confirm RegisterTaskDefinition of ${family} (${errorText(error)}) and could not be read back; the service was not changed.`,
        );
    }
    await ctx.saveState({ [REGISTERED_ARN]: arn });
    ctx.log('info', `Task definition ${revisionOf(arn)} registered with ${spec.containerName} = ${spec.image}`);
    return arn;
  }

  private async findRegistered(api: EcsApi, family: string, stageId: string): Promise<string | null> {
    for (const arn of await api.latestRevisions(family, REVISIONS_SEARCHED)) {
      const described = await api.taskDefinition(arn);
      if (described && registeredBy(described.tags, stageId)) return arn;
    }
    return null;
  }

  /**
   * Sends one write. When it fails the service is read back and the sentence says what it shows: a refusal applied
   * nothing; a call without an answer may have been applied (or may still be), which is said, never hidden.
   */
  private async write<T>(
    ctx: StageContext,
    api: EcsApi,
    operation: string,
    spec: EcsSpec,
    arn: string | null,
    desiredCount: number,
    send: () => Promise<T>,
  ): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const name = `ECS service ${spec.cluster}/${spec.service}`;
      if (isEcsRefusal(error))
        throw new StageFailed(`ECS refused ${operation} of ${name}: ${errorText(error)}. Nothing was changed by it.`);
      let seen: string;
      try {
        const live = await api.service(spec.cluster, spec.service);
        const applied =
          operation === 'DeleteService'
            ? live === null
            : live !== null && live.taskDefinition === arn && live.desiredCount === desiredCount;
        const shows = live ? `it runs ${revisionOf(live.taskDefinition)} × ${live.desiredCount}` : 'it does not exist';
        seen = applied
          ? `read back, ${shows}: the change was applied`
          : `read back, ${shows}: the change is not applied, or not yet (ECS may still apply a call whose answer was lost)`;
      } catch (readError) {
        seen = `it could not be read back (${errorText(readError)}): whether the change was applied is unknown`;
      }
      throw new StageFailed(`ECS did not confirm ${operation} of ${name} (${errorText(error)}); ${seen}.`);
    }
  }

  /** A read the stage cannot go on without: an ECS refusal becomes the stage's failure, in a sentence. */
  private async read<T>(call: () => Promise<T>, operation: string): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isEcsRefusal(error)) throw new StageFailed(`ECS refused ${operation}: ${errorText(error)}.`);
      throw error;
    }
  }

  /** The ECS calls over the connection's clients (the SDK is imported by the first one). */
  private async api(ctx: StageContext): Promise<EcsApi> {
    let connection;
    try {
      connection = parseAwsConnection(ctx.target.connection);
    } catch {
      throw new StageFailed(`Infrastructure "${ctx.target.name}" has no usable AWS connection.`);
    }
    await ecsSdk.load();
    return new EcsApi(this.clients.get(connection), ctx.signal);
  }
}
