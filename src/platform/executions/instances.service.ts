import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { can, type Principal } from '../../auth/permissions.js';
import { ServicesService } from '../services/services.service.js';
import { standingDeployments } from './current-deployments.js';
import { ExecutionRollbacksService } from './execution-rollbacks.service.js';
import { ExecutionsService } from './executions.service.js';

/**
 * The Instances view of a service (Harness's service dashboard): where it runs now, read from what executions
 * recorded — never a live read, so the list answers at once whatever the clusters do.
 */
@Injectable()
export class InstancesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly services: ServicesService,
    private readonly executions: ExecutionsService,
    private readonly rollbacks: ExecutionRollbacksService,
  ) {}

  async of(serviceId: string, principal: Principal) {
    const service = await this.services.get(serviceId);
    const places: { id: string; name: string; environment: string; kind: string }[] = await this.db.query(
      `SELECT i.id, i.name, i.environment, i.kind FROM infrastructures i
        WHERE i.deleted_at IS NULL
          AND EXISTS (SELECT 1 FROM execution_stages s WHERE s.service_id = $1 AND s.infrastructure_id = i.id)
        ORDER BY i.environment, i.name`,
      [service.id],
    );
    const instances = [];
    for (const place of places) {
      if (!can(principal, 'read', place.environment)) continue;
      const [current, previous] = await standingDeployments(this.db, service.id, place.id, { limit: 2 });
      if (!current) continue;
      const verdict = await this.rollbacks.verdict(await this.executions.get(current.executionId), principal);
      const hosts = await this.hostsOf(service.id, place.id);
      instances.push({
        environment: place.environment,
        infrastructure: { id: place.id, name: place.name, kind: place.kind },
        artifact: current.artifact,
        ...(hosts ? { hosts } : {}),
        current: {
          executionId: current.executionId,
          pipeline: { id: current.pipelineId, name: current.pipelineName },
          artifact: current.artifact,
          finishedAt: current.finishedAt,
        },
        previous: previous
          ? { executionId: previous.executionId, artifact: previous.artifact, finishedAt: previous.finishedAt }
          : null,
        rollback: verdict.available
          ? { available: true }
          : { available: false, status: verdict.status, reason: verdict.reason },
      });
    }
    return { service: { id: service.id, name: service.name }, instances };
  }

  /**
   * For a kind whose stages record hosts (ssh): per host, the live release and the retained ones, as the latest stage
   * that ran there (a deployment or a rollback) left them; null for other kinds.
   */
  private async hostsOf(serviceId: string, infrastructureId: string) {
    const rows: { outputs: { hosts?: unknown }; finished_at: Date }[] = await this.db.query(
      `SELECT s.outputs, s.finished_at FROM execution_stages s
        WHERE s.service_id = $1 AND s.infrastructure_id = $2 AND s.status = 'Completed'
          AND jsonb_typeof(s.outputs->'hosts') = 'array'
        ORDER BY s.finished_at DESC LIMIT 1`,
      [serviceId, infrastructureId],
    );
    const hosts = rows[0]?.outputs.hosts as { host: string; live: string | null; retained: string[] }[] | undefined;
    if (!hosts) return null;
    const asOf = new Date(rows[0]!.finished_at);
    return hosts.map((h) => ({ host: h.host, live: h.live, retained: h.retained, asOf }));
  }
}
