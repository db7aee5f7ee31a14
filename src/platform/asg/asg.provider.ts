import { parseAwsConnection, type AwsConnection } from '../aws/aws-connection.js';
import { ConnectionCache } from '../connection-cache.js';
import {
  StageFailed,
  StageWait,
  type InstanceView,
  type PlatformProvider,
  type RecordedStage,
  type StageContext,
  type StageHealth,
} from '../provider.js';
import { AsgCallError, AsgClient, loadAsgSdk, type AsgClientOptions, type VersionFacts } from './asg-client.js';
import type { AsgData, AsgOutputs, TemplateVersion } from './asg-records.js';
import { parseAsgSpec, type AsgSpec } from './asg-spec.js';
import { driftSentences, versionKey } from './drift.js';
import {
  deployPhaseCounts,
  groupHealth,
  notOn,
  phaseSettled,
  pickForPhase,
  stillToTerminate,
  type GroupState,
} from './phase-plan.js';
import { rollbackPhases } from './rollback-phases.js';

type Recorded = RecordedStage<AsgSpec, AsgData, AsgOutputs>;

/** How soon the engine calls a waiting phase again. */
const PHASE_POLL_MS = 1_000;

/** What one phase recorded before it sent its terminations. */
interface PhaseRecord {
  instances: string[];
  startedAt: number;
}

export interface AsgProviderOptions extends AsgClientOptions {
  /** How soon a call waiting for a phase is made again (default 1 000 ms). */
  phasePollMs?: number;
  /** How many calls in a row may go unanswered before the stage fails saying so (default 10). */
  maxUnanswered?: number;
}

/**
 * State key: `{attempts, write}`, the calls in a row that got no answer. An answered write ends the run; an answered
 * read ends only a run of reads (a resumed call reads the group back before it sends the same write again).
 */
const UNANSWERED = 'aws unanswered';

/**
 * The `asg` platform provider (docs/asg-provider.md, ADR 0018): Auto Scaling groups and EC2 launch templates through
 * the official AWS SDK (asg-client.ts). Deploy = a new launch template version with the AMI, the group pointed at it,
 * then the instances replaced: by one instance refresh (`basic`) or phase by phase (`canary`: each phase's
 * terminations recorded before they are sent, then StageWait until its replacements are InService). Rollback = the
 * captured version back on the group, then the same replacement, canary phases by Harness's arithmetic
 * (rollback-phases.ts). Every write is recorded in the stage state before it is sent, and a resumed call reads the
 * group (or the template's versions, or its refreshes) back first, so it sends only what is not done yet.
 */
export class AsgProvider implements PlatformProvider<AsgSpec, AsgData, AsgOutputs> {
  readonly kind = 'asg' as const;
  private readonly clients = new ConnectionCache<AwsConnection, AsgClient>(
    (connection) => new AsgClient(connection, this.options),
    (client) => client.destroy(),
  );
  private readonly phasePollMs: number;

  constructor(private readonly options: AsgProviderOptions = {}) {
    this.phasePollMs = options.phasePollMs ?? PHASE_POLL_MS;
  }

  parseSpec(spec: unknown): AsgSpec {
    return parseAsgSpec(spec);
  }

  artifactOf(spec: AsgSpec): string | null {
    return spec.amiId;
  }

  async capture(ctx: StageContext, spec: AsgSpec): Promise<AsgData> {
    const client = await this.client(ctx);
    const group = await this.readGroup(ctx, client, spec.autoScalingGroupName, 'capture');
    const template = group.launchTemplate;
    if (!template?.launchTemplateId && !template?.launchTemplateName)
      throw new StageFailed(
        `Auto Scaling group ${group.name} has no launch template (a launch configuration or a mixed instances policy): Backtrack deploys only groups that use a launch template.`,
      );
    const asNamed = template.version ?? '$Default';
    const resolved = await this.version(
      ctx,
      client,
      template.launchTemplateId ?? template.launchTemplateName!,
      asNamed,
    );
    if (!resolved)
      throw new StageFailed(
        `Auto Scaling group ${group.name} names launch template version ${asNamed}, which EC2 does not know.`,
      );
    ctx.log(
      'info',
      `Auto Scaling group ${group.name}: launch template ${resolved.launchTemplateName} version ${resolved.version}${asNamed === resolved.version ? '' : ` (${asNamed})`}, ${resolved.amiId ?? 'no AMI'}, ${group.desiredCapacity} desired: captured`,
    );
    return {
      autoScalingGroupName: group.name,
      launchTemplate: templateOf(resolved),
      versionAsNamed: asNamed,
      amiId: resolved.amiId,
      desiredCapacity: group.desiredCapacity,
      instances: group.instances.map((i) => ({
        instanceId: i.instanceId,
        version: i.version,
        lifecycleState: i.lifecycleState,
      })),
    };
  }

  /** An Auto Scaling group is never created by a stage, so a rollback never deletes one: never a first deployment. */
  isFirstDeployment(_data: AsgData): boolean {
    return false;
  }

  describeRollbackTarget(data: AsgData): string | null {
    return `launch template ${data.launchTemplate.launchTemplateName} version ${data.launchTemplate.version} (${data.amiId ?? 'no AMI'})`;
  }

  async deploy(ctx: StageContext, spec: AsgSpec, data: AsgData): Promise<AsgOutputs> {
    const client = await this.client(ctx);
    if (ctx.resumed && ctx.state['deploy plan'] === undefined)
      ctx.log(
        'info',
        'Resumed: the template, the group and its instances are read back; only what is not done is sent.',
      );
    const name = spec.autoScalingGroupName;
    let group = await this.readGroup(ctx, client, name, 'deploy');
    const captured = data.launchTemplate;
    if (ctx.state['deploy converged'] === true) return this.outputs(spec, captured, spec.amiId, [0], [], null);

    // 1. the launch template version holding the AMI
    let target = ctx.state['deploy version number'] as TemplateVersion | undefined;
    if (!target) {
      const sameTemplate =
        spec.launchTemplate === captured.launchTemplateId || spec.launchTemplate === captured.launchTemplateName;
      if (
        ctx.state['deploy version'] === undefined &&
        sameTemplate &&
        data.amiId === spec.amiId &&
        sameRef(group, captured) &&
        !notOn(group, captured).length
      ) {
        await ctx.saveState({ 'deploy converged': true });
        ctx.log(
          'info',
          `${name} already runs ${spec.amiId} on launch template version ${captured.version}: nothing sent`,
        );
        return this.outputs(spec, captured, spec.amiId, [0], [], null);
      }
      target = await this.createVersion(ctx, client, spec, data);
    }

    // 2. the group on that version
    if (!sameRef(group, target)) {
      await ctx.saveState({ 'deploy group template': 'sent' });
      await this.send(ctx, 'deploy', () => client.setGroupTemplate(name, target, ctx.signal));
      ctx.log('info', `${name}: launch template version ${target.version} set (instances are replaced next)`);
      group = { ...group, launchTemplate: { ...target } };
    }

    // 3. the instances
    if (spec.strategy === 'basic') {
      const replacing = notOn(group, target).length;
      const refreshId = await this.refresh(ctx, client, 'deploy', spec, name, replacing);
      return this.outputs(spec, target, spec.amiId, [replacing], [], refreshId);
    }
    let counts = ctx.state['deploy plan'] as number[] | undefined;
    if (!counts) {
      counts = deployPhaseCounts(notOn(group, target).length, spec.phases);
      await ctx.saveState({ 'deploy plan': counts });
      ctx.log('info', `${name}: ${counts.length} phases replace ${counts.join(', ')} instances`);
    }
    const replaced = await this.phases(ctx, client, 'deploy', spec, group, target, counts);
    return this.outputs(spec, target, spec.amiId, counts, replaced, null);
  }

  async status(ctx: StageContext, _spec: AsgSpec, outputs: AsgOutputs): Promise<StageHealth> {
    const client = await this.client(ctx);
    const group = await this.call(ctx, 'status', () => client.group(outputs.autoScalingGroupName, ctx.signal));
    if (!group)
      return { steady: false, failed: true, reason: `Auto Scaling group ${outputs.autoScalingGroupName} is gone` };
    if (outputs.instanceRefreshId) {
      const refreshes = await this.call(ctx, 'status', () => client.refreshes(group.name, ctx.signal));
      const refresh = refreshes.find((r) => r.instanceRefreshId === outputs.instanceRefreshId);
      if (
        refresh &&
        ['Failed', 'Cancelled', 'Cancelling', 'RollbackInProgress', 'RollbackSuccessful', 'RollbackFailed'].includes(
          refresh.status,
        )
      )
        return {
          steady: false,
          failed: true,
          reason: `instance refresh ${refresh.instanceRefreshId} ended ${refresh.status}${refresh.statusReason ? `: ${refresh.statusReason}` : ''}`,
        };
      if (refresh && refresh.status !== 'Successful')
        return {
          steady: false,
          reason: `instance refresh ${refresh.instanceRefreshId} ${refresh.status}, ${refresh.percentageComplete}% complete`,
        };
    }
    return groupHealth(group, outputs.launchTemplate);
  }

  async drift(ctx: StageContext, recorded: Recorded): Promise<string[]> {
    const client = await this.client(ctx);
    const { outputs, data } = recorded;
    const group = await this.call(ctx, 'drift', () => client.group(outputs.autoScalingGroupName, ctx.signal));
    const amiOf = new Map<string, string | null>();
    let resolved: string | null = null;
    let live = group;
    if (group) {
      const named = group.launchTemplate;
      const current =
        named && (named.launchTemplateId ?? named.launchTemplateName)
          ? await this.version(
              ctx,
              client,
              (named.launchTemplateId ?? named.launchTemplateName)!,
              named.version ?? '$Default',
            )
          : null;
      if (current) {
        resolved = current.version;
        amiOf.set(versionKey(current), current.amiId);
        live = { ...group, launchTemplate: { ...named!, launchTemplateId: current.launchTemplateId } };
      }
      const ids = new Set(group.instances.map((i) => i.launchTemplateId).filter((id): id is string => id !== null));
      for (const id of ids) {
        const wanted = [
          ...new Set(group.instances.filter((i) => i.launchTemplateId === id).map((i) => i.version ?? '$Default')),
        ];
        const versions = await this.call(ctx, 'drift', () => client.versions(id, wanted, ctx.signal));
        for (const v of versions) amiOf.set(versionKey(v), v.amiId);
      }
    }
    return driftSentences(
      {
        autoScalingGroupName: outputs.autoScalingGroupName,
        left: outputs.launchTemplate,
        amis: [outputs.amiId, data.amiId],
      },
      live,
      resolved,
      amiOf,
    );
  }

  async rollback(ctx: StageContext, recorded: Recorded): Promise<AsgOutputs> {
    const client = await this.client(ctx);
    const { spec, data, outputs } = recorded;
    if (ctx.resumed && ctx.state['rollback plan'] === undefined)
      ctx.log('info', 'Resumed: the group and its instances are read back; only what is not done is sent.');
    const name = data.autoScalingGroupName;
    let group = await this.readGroup(ctx, client, name, 'rollback');
    const target = data.launchTemplate;

    if (!sameRef(group, target)) {
      await ctx.saveState({ 'rollback group template': 'sent' });
      await this.send(ctx, 'rollback', () => client.setGroupTemplate(name, target, ctx.signal));
      ctx.log('info', `${name}: launch template version ${target.version} set back (as captured before the deploy)`);
      group = { ...group, launchTemplate: { ...target } };
    } else if (ctx.state['rollback group template'] === undefined)
      ctx.log('info', `${name}: already on launch template version ${target.version}, nothing sent`);

    const amiId = data.amiId ?? '';
    if (spec.strategy === 'basic') {
      const replacing = notOn(group, target).length;
      const refreshId = await this.refresh(ctx, client, 'rollback', spec, name, replacing);
      return this.outputs(spec, target, amiId, [replacing], [], refreshId);
    }
    let counts = ctx.state['rollback plan'] as number[] | undefined;
    if (!counts) {
      const active = notOn(group, target).length;
      const deployed = Array.isArray(outputs.phases) && outputs.phases.some((n) => n > 0) ? outputs.phases : [1];
      counts = rollbackPhases(deployed, active).map((p) => p.replace);
      await ctx.saveState({ 'rollback plan': counts });
      ctx.log(
        'info',
        `${name}: ${active} instances to put back on version ${target.version}; the phases, last deployed first, replace ${counts.join(', ')}`,
      );
    }
    const replaced = await this.phases(ctx, client, 'rollback', spec, group, target, counts);
    return this.outputs(spec, target, amiId, counts, replaced, null);
  }

  async describe(ctx: StageContext, recorded: Recorded): Promise<InstanceView> {
    const client = await this.client(ctx);
    const name = recorded.spec.autoScalingGroupName;
    const group = await this.call(ctx, 'describe', () => client.group(name, ctx.signal));
    const template = group?.launchTemplate;
    if (!group || !template) return { artifact: null, revision: null, ready: null, desired: null };
    const version = await this.version(
      ctx,
      client,
      template.launchTemplateId ?? template.launchTemplateName ?? '',
      template.version ?? '$Default',
    );
    const ready = group.instances.filter((i) => i.lifecycleState === 'InService' && i.healthy).length;
    return {
      artifact: version?.amiId ?? null,
      revision: version?.version ?? template.version,
      ready,
      desired: group.desiredCapacity,
    };
  }

  /**
   * The new version, created once: its ClientToken and the template's latest version number are recorded first, so a
   * resumed call finds the version it may have created (by its description, from that number on) before sending again.
   */
  private async createVersion(
    ctx: StageContext,
    client: AsgClient,
    spec: AsgSpec,
    data: AsgData,
  ): Promise<TemplateVersion> {
    const description = `Backtrack stage ${ctx.stageId}`;
    const clientToken = `backtrack-${ctx.stageId}`;
    const recorded = ctx.state['deploy version'] as { latestBefore: number } | undefined;
    let created: VersionFacts | undefined;
    if (recorded) {
      const since = await this.call(ctx, 'deploy', () =>
        client.versionsFrom(spec.launchTemplate, recorded.latestBefore + 1, ctx.signal),
      );
      created = since.find((v) => v.description === description);
      if (created)
        ctx.log(
          'info',
          `Launch template version ${created.version} was created by the earlier attempt: not sent again`,
        );
    }
    if (!created) {
      let latestBefore = recorded?.latestBefore;
      if (latestBefore === undefined) {
        const latest = await this.version(ctx, client, spec.launchTemplate, '$Latest');
        if (!latest) throw new StageFailed(`Launch template ${spec.launchTemplate} does not exist.`);
        latestBefore = Number(latest.version);
        await ctx.saveState({ 'deploy version': { latestBefore, clientToken } });
      }
      const same =
        spec.launchTemplate === data.launchTemplate.launchTemplateId ||
        spec.launchTemplate === data.launchTemplate.launchTemplateName;
      created = await this.send(ctx, 'deploy', () =>
        client.createVersion(
          spec.launchTemplate,
          {
            sourceVersion: same ? data.launchTemplate.version : '$Default',
            amiId: spec.amiId,
            description,
            clientToken,
          },
          ctx.signal,
        ),
      );
      ctx.log(
        'info',
        `Launch template ${created.launchTemplateName}: version ${created.version} created with ${spec.amiId}`,
      );
    }
    const target = templateOf(created);
    await ctx.saveState({ 'deploy version number': target });
    return target;
  }

  /**
   * One instance refresh of the instances not on the group's version: the refreshes already there are recorded
   * before it is sent, so a resumed call knows a new one for its own. Its id is recorded once known.
   */
  private async refresh(
    ctx: StageContext,
    client: AsgClient,
    call: 'deploy' | 'rollback',
    spec: AsgSpec,
    name: string,
    replacing: number,
  ): Promise<string | null> {
    const idKey = `${call} refresh id`;
    const known = ctx.state[idKey];
    if (typeof known === 'string') return known;
    const before = ctx.state[`${call} refresh`] as { before: string[] } | undefined;
    if (before) {
      const now = await this.call(ctx, call, () => client.refreshes(name, ctx.signal));
      const mine = now.find((r) => !before.before.includes(r.instanceRefreshId));
      if (mine) {
        ctx.log(
          'info',
          `${name}: instance refresh ${mine.instanceRefreshId} was started by the earlier attempt: not sent again`,
        );
        await ctx.saveState({ [idKey]: mine.instanceRefreshId });
        return mine.instanceRefreshId;
      }
    } else {
      const existing = await this.call(ctx, call, () => client.refreshes(name, ctx.signal));
      await ctx.saveState({ [`${call} refresh`]: { before: existing.map((r) => r.instanceRefreshId) } });
    }
    const id = await this.send(ctx, call, () => client.startRefresh(name, spec.minHealthyPercentage, ctx.signal));
    await ctx.saveState({ [idKey]: id });
    ctx.log(
      'info',
      `${name}: instance refresh ${id} started (${replacing} instances to replace, MinHealthyPercentage ${spec.minHealthyPercentage})`,
    );
    return id;
  }

  /**
   * The phases, each in turn: a phase records the instances it terminates before sending, and the call waits
   * (StageWait) until the group settled before the next phase. A resumed phase terminates only those of its recorded
   * instances the group does not show terminating or gone. Returns after the last phase's terminations are sent.
   */
  private async phases(
    ctx: StageContext,
    client: AsgClient,
    call: 'deploy' | 'rollback',
    spec: AsgSpec,
    group: GroupState,
    target: TemplateVersion,
    counts: number[],
  ): Promise<string[][]> {
    const replaced: string[][] = [];
    const live = group;
    for (const [index, count] of counts.entries()) {
      const key = `${call} phase ${index + 1}`;
      let record = ctx.state[key] as PhaseRecord | undefined;
      if (!record) {
        const instances = pickForPhase(
          live,
          target,
          index === counts.length - 1 && call === 'rollback' ? Infinity : count,
        );
        record = { instances, startedAt: Date.now() };
        await ctx.saveState({ [key]: record });
        ctx.log(
          'info',
          `${live.name}: phase ${index + 1} of ${counts.length} (${call}) replaces ${instances.length} instance${instances.length === 1 ? '' : 's'}${instances.length ? `: ${instances.join(', ')}` : ''}`,
        );
      }
      const unsent = stillToTerminate(record.instances, live);
      if (unsent.length && unsent.length < record.instances.length)
        ctx.log(
          'info',
          `${live.name}: phase ${index + 1}: ${record.instances.length - unsent.length} already terminating or gone, not sent again`,
        );
      for (const id of unsent) await this.send(ctx, call, () => client.terminate(id, ctx.signal));
      replaced.push(record.instances);
      if (index === counts.length - 1) break;
      // the next phase was recorded by an earlier attempt: this one had settled then
      if (ctx.state[`${call} phase ${index + 2}`] !== undefined) continue;
      // what was just terminated is still terminating: the next call reads the group (no read here)
      if (unsent.length)
        throw new StageWait(
          `phase ${index + 1} of ${counts.length}: ${unsent.length} instance${unsent.length === 1 ? '' : 's'} terminated, replacements launching`,
          this.phasePollMs,
        );
      const settled = phaseSettled(live);
      if (!settled.settled) {
        if (Date.now() - record.startedAt > spec.phaseTimeoutSeconds * 1000)
          throw new StageFailed(
            `phase ${index + 1} of the ${call} did not settle within ${spec.phaseTimeoutSeconds} s (${settled.reason}); phases 1–${index + 1} were sent, the group is on launch template version ${target.version}.`,
          );
        throw new StageWait(`phase ${index + 1} of ${counts.length}: ${settled.reason}`, this.phasePollMs);
      }
    }
    return replaced;
  }

  private outputs(
    spec: AsgSpec,
    template: TemplateVersion,
    amiId: string,
    phases: number[],
    replaced: string[][],
    instanceRefreshId: string | null,
  ): AsgOutputs {
    return {
      autoScalingGroupName: spec.autoScalingGroupName,
      launchTemplate: template,
      amiId,
      strategy: spec.strategy,
      phases,
      replaced,
      instanceRefreshId,
      image: amiId,
      revision: template.version,
    };
  }

  private async readGroup(ctx: StageContext, client: AsgClient, name: string, call: string): Promise<GroupState> {
    const group = await this.call(ctx, call, () => client.group(name, ctx.signal));
    if (!group)
      throw new StageFailed(
        `Auto Scaling group ${name} does not exist (Backtrack deploys to existing groups; it does not create them).`,
      );
    return group;
  }

  private async version(
    ctx: StageContext,
    client: AsgClient,
    template: string,
    version: string,
  ): Promise<VersionFacts | null> {
    try {
      return (await this.call(ctx, 'read', () => client.versions(template, [version], ctx.signal)))[0] ?? null;
    } catch (error) {
      if (error instanceof StageFailed && /NotFound/.test(error.message)) return null;
      throw error;
    }
  }

  /** A read: a failure without an answer asks to be called again; a refusal is the stage's failure. */
  private async call<T>(ctx: StageContext, call: string, read: () => Promise<T>): Promise<T> {
    let answer: T;
    try {
      answer = await read();
    } catch (error) {
      throw await this.verdict(ctx, call, error, false);
    }
    await this.answered(ctx, false);
    return answer;
  }

  /** A write (recorded as sent before this): a failure says the outcome may be either, and a resumed call reads back. */
  private async send<T>(ctx: StageContext, call: string, write: () => Promise<T>): Promise<T> {
    let answer: T;
    try {
      answer = await write();
    } catch (error) {
      throw await this.verdict(ctx, call, error, true);
    }
    await this.answered(ctx, true);
    return answer;
  }

  private async answered(ctx: StageContext, write: boolean): Promise<void> {
    const run = ctx.state[UNANSWERED] as { attempts: number; write: boolean } | null | undefined;
    if (run && (write || !run.write)) await ctx.saveState({ [UNANSWERED]: null });
  }

  /**
   * What a failed call means: a refusal is the stage's failure; no answer asks to be called again (the next attempt
   * reads back first), until `maxUnanswered` calls in a row got none, when the stage fails saying that the last write
   * may or may not have been applied — never waiting forever, never claiming "nothing applied".
   */
  private async verdict(ctx: StageContext, call: string, error: unknown, write: boolean): Promise<unknown> {
    if (!(error instanceof AsgCallError) || ctx.signal.aborted) return error;
    if (error.transient) {
      const run = ctx.state[UNANSWERED] as { attempts: number; write: boolean } | null | undefined;
      const attempts = (run?.attempts ?? 0) + 1;
      if (attempts >= (this.options.maxUnanswered ?? 10))
        return new StageFailed(
          `AWS did not answer ${attempts} calls in a row (last: ${error.action} during the ${call}: ${error.message})` +
            `${write ? '; that call may or may not have been applied' : ''}; the stage log says what was applied before it.`,
        );
      await ctx.saveState({ [UNANSWERED]: { attempts, write: write || (run?.write ?? false) } });
      ctx.log(
        'warn',
        `${error.message}${write ? '; it may or may not have been applied: the next attempt reads the group back before sending anything again' : '; trying again'}`,
      );
      return new StageWait(`AWS did not answer ${error.action} during the ${call}`, 2_000);
    }
    return new StageFailed(
      `${error.message}${write ? ' (every step before it was applied as the stage log says; nothing of this call was)' : ''}`,
    );
  }

  /** The connection's client (the SDK is imported by the first one). */
  private async client(ctx: StageContext): Promise<AsgClient> {
    let connection: AwsConnection;
    try {
      connection = parseAwsConnection(ctx.target.connection);
    } catch {
      throw new StageFailed(`Infrastructure "${ctx.target.name}" has no usable AWS connection.`);
    }
    await loadAsgSdk();
    return this.clients.get(connection);
  }
}

function templateOf(v: VersionFacts): TemplateVersion {
  return { launchTemplateId: v.launchTemplateId, launchTemplateName: v.launchTemplateName, version: v.version };
}

/** Whether the group names exactly this template (by id, or by name when it names no id) and version number. */
function sameRef(group: GroupState, target: TemplateVersion): boolean {
  const named = group.launchTemplate;
  if (!named || named.version !== target.version) return false;
  return named.launchTemplateId === null
    ? named.launchTemplateName === target.launchTemplateName
    : named.launchTemplateId === target.launchTemplateId;
}
