// The one file that talks to Amazon ECS (through @aws-sdk/client-ecs): reads retry as the SDK does, writes are sent
// once (maxAttempts 1) so that a call whose answer was lost is read back by the provider, never blindly repeated.
// The SDK is imported on first use (ecsSdk.load() before ecsClients): its classes come from `sdk`.
import type {
  CreateServiceCommandInput,
  ECSClient,
  ECSServiceException,
  RegisterTaskDefinitionCommandInput,
  Service,
  UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { awsClientOptions, type AwsConnection } from '../aws/aws-connection.js';
import { ecsSdk } from '../aws/aws-sdk.js';
import type { LiveService } from './ecs-records.js';
import type { TaskDefinitionLike } from './task-definition.js';

type EcsSdk = typeof import('@aws-sdk/client-ecs');

export interface EcsClients {
  sdk: EcsSdk;
  reads: ECSClient;
  writes: ECSClient;
}

/** The clients of one connection; `ecsSdk.load()` must have been awaited. */
export function ecsClients(connection: AwsConnection, requestTimeoutMs: number): EcsClients {
  const sdk = ecsSdk.get();
  const options = {
    ...awsClientOptions(connection),
    requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
  };
  return {
    sdk,
    reads: new sdk.ECSClient({ ...options, maxAttempts: 3 }),
    writes: new sdk.ECSClient({ ...options, maxAttempts: 1 }),
  };
}

/** An error ECS answered (a typed exception): the call was refused, nothing was applied. */
export function isEcsRefusal(error: unknown): error is ECSServiceException {
  return isEcsException(error) && (error.$metadata.httpStatusCode ?? 500) < 500;
}

/** Whether ECS answered the error (no call was made, so no error is one, before the SDK was loaded). */
function isEcsException(error: unknown): error is ECSServiceException {
  const sdk = ecsSdk.loaded;
  return sdk !== undefined && error instanceof sdk.ECSServiceException;
}

/** The error in a sentence, without request ids (never a credential: the SDK does not put them in messages). */
export function errorText(error: unknown): string {
  if (isEcsException(error)) return `${error.name}: ${error.message}`;
  if (error instanceof Error) return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}

/** The ECS calls of one stage call, bound to its abort signal. */
export class EcsApi {
  constructor(
    private readonly clients: EcsClients,
    private readonly signal: AbortSignal,
  ) {}

  /** The service, or null when ECS says it is MISSING or INACTIVE (deleted). */
  async service(cluster: string, name: string): Promise<LiveService | null> {
    const answer = await this.clients.reads.send(
      new this.clients.sdk.DescribeServicesCommand({ cluster, services: [name] }),
      {
        abortSignal: this.signal,
      },
    );
    const found = answer.services?.find((s) => s.serviceName === name || s.serviceArn?.endsWith(`/${name}`));
    if (!found || found.status === 'INACTIVE') return null;
    return liveService(found);
  }

  /** The task definition (`family`, `family:revision` or ARN) with its tags, or null when ECS does not know it. */
  async taskDefinition(
    ref: string,
  ): Promise<{ definition: TaskDefinitionLike; tags: { key?: string; value?: string }[] } | null> {
    try {
      const answer = await this.clients.reads.send(
        new this.clients.sdk.DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }),
        { abortSignal: this.signal },
      );
      return answer.taskDefinition
        ? { definition: answer.taskDefinition as TaskDefinitionLike, tags: answer.tags ?? [] }
        : null;
    } catch (error) {
      if (isEcsException(error) && error.name === 'ClientException') return null;
      throw error;
    }
  }

  /** The ACTIVE revisions of exactly this family, newest first, at most `limit`. */
  async latestRevisions(family: string, limit: number): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.clients.reads.send(
        new this.clients.sdk.ListTaskDefinitionsCommand({
          familyPrefix: family,
          status: 'ACTIVE',
          sort: 'DESC',
          maxResults: 100,
          nextToken,
        }),
        { abortSignal: this.signal },
      );
      for (const arn of page.taskDefinitionArns ?? [])
        if (arn.endsWith(`/${family}:${arn.split(':').at(-1)}`)) arns.push(arn);
      nextToken = page.nextToken;
    } while (nextToken && arns.length < limit);
    return arns.slice(0, limit);
  }

  async register(input: Record<string, unknown>): Promise<string> {
    const answer = await this.clients.writes.send(
      new this.clients.sdk.RegisterTaskDefinitionCommand(input as unknown as RegisterTaskDefinitionCommandInput),
      { abortSignal: this.signal },
    );
    const arn = answer.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new Error('RegisterTaskDefinition answered no taskDefinitionArn');
    return arn;
  }

  /** Creates the service; answers the id of its PRIMARY deployment (null if ECS names none). */
  async create(input: CreateServiceCommandInput): Promise<string | null> {
    const answer = await this.clients.writes.send(new this.clients.sdk.CreateServiceCommand(input), {
      abortSignal: this.signal,
    });
    return primaryId(answer.service);
  }

  /** Updates the service; answers the id of its PRIMARY deployment afterwards (null if ECS names none). */
  async update(input: UpdateServiceCommandInput): Promise<string | null> {
    const answer = await this.clients.writes.send(new this.clients.sdk.UpdateServiceCommand(input), {
      abortSignal: this.signal,
    });
    return primaryId(answer.service);
  }

  async remove(cluster: string, service: string): Promise<void> {
    await this.clients.writes.send(new this.clients.sdk.DeleteServiceCommand({ cluster, service, force: true }), {
      abortSignal: this.signal,
    });
  }
}

function primaryId(service: Service | undefined): string | null {
  return service?.deployments?.find((d) => d.status === 'PRIMARY')?.id ?? null;
}

/** Service events read (newest first): enough to see what the circuit breaker did to a recent deployment. */
const EVENTS_READ = 20;

function liveService(s: Service): LiveService {
  return {
    serviceArn: s.serviceArn ?? '',
    status: s.status ?? 'ACTIVE',
    taskDefinition: s.taskDefinition ?? '',
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    pendingCount: s.pendingCount ?? 0,
    deploymentConfiguration: (s.deploymentConfiguration as Record<string, unknown> | undefined) ?? null,
    events: (s.events ?? []).slice(0, EVENTS_READ).map((e) => e.message ?? ''),
    deployments: (s.deployments ?? []).map((d) => ({
      id: d.id ?? '',
      status: d.status ?? '',
      taskDefinition: d.taskDefinition ?? '',
      desiredCount: d.desiredCount ?? 0,
      runningCount: d.runningCount ?? 0,
      pendingCount: d.pendingCount ?? 0,
      failedTasks: d.failedTasks ?? 0,
      rolloutState: d.rolloutState ?? null,
      rolloutStateReason: d.rolloutStateReason ?? null,
    })),
  };
}
