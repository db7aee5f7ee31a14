import crypto from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import type { z } from 'zod';
import { assertCan } from '../auth/auth.guard.js';
import { can, type Principal } from '../auth/permissions.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import type { SecretBox } from '../common/secret-box.js';
import { affected } from '../jobs/job-leases.repository.js';
import { SECRET_BOX } from '../orgs/org-connections.service.js';
import { InfrastructuresService } from '../platform/infrastructures/infrastructures.service.js';
import { ServicesService } from '../platform/services/services.service.js';
import type {
  CreateHealthSourceBody,
  CreateMonitoredServiceBody,
  CreateRollbackPolicyBody,
  CreateSloBody,
  UpdateRollbackPolicyBody,
} from './slo-input.js';
import { HealthSource, MonitoredService, RollbackPolicy, Slo, SloDecision } from './slo.entity.js';

/** A Prometheus server with its bearer token unsealed: only the evaluator's Prometheus client gets this. */
export interface HealthSourceConnection {
  url: string;
  token: string | null;
}

/**
 * Health sources, monitored services, SLOs and rollback policies (issue 16). Health sources are global like services
 * (admins change them, anyone who can read sees them, never their token); the rest belongs to the environment of the
 * monitored service's infrastructure: read there with `read`, changed there with `admin`. Removing keeps the rows
 * (soft delete) so that decisions keep naming what they decided under.
 */
@Injectable()
export class SloConfigService {
  constructor(
    @InjectRepository(HealthSource) private readonly sources: Repository<HealthSource>,
    @InjectRepository(MonitoredService) private readonly monitored: Repository<MonitoredService>,
    @InjectRepository(Slo) private readonly slos: Repository<Slo>,
    @InjectRepository(RollbackPolicy) private readonly policies: Repository<RollbackPolicy>,
    @InjectRepository(SloDecision) private readonly decisions: Repository<SloDecision>,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    private readonly services: ServicesService,
    private readonly infrastructures: InfrastructuresService,
  ) {}

  // ---- health sources

  /** Live health sources with whether each has a token (the sealed token itself stays here). */
  async listHealthSources(): Promise<(HealthSource & { hasToken: boolean })[]> {
    const all = await this.withToken().orderBy('h.created_at', 'ASC').getMany();
    return all.map(withoutToken);
  }

  async getHealthSource(id: string): Promise<HealthSource & { hasToken: boolean }> {
    const source = await this.withToken().andWhere('h.id = :id', { id }).getOne();
    if (!source) throw new NotFoundError('Health source', id);
    return withoutToken(source);
  }

  private withToken() {
    return this.sources.createQueryBuilder('h').addSelect('h.tokenCiphertext').where('h.deleted_at IS NULL');
  }

  async createHealthSource(input: z.infer<typeof CreateHealthSourceBody>, principal: Principal) {
    const taken = await this.sources
      .createQueryBuilder('h')
      .where('lower(h.name) = lower(:name) AND h.deleted_at IS NULL', { name: input.name })
      .getOne();
    if (taken) throw new ConflictError(`A health source named "${taken.name}" already exists; pick another name.`);
    const id = crypto.randomUUID();
    await this.sources.insert({
      id,
      name: input.name,
      url: input.url.replace(/\/+$/, ''),
      tokenCiphertext: input.token ? this.box.seal(input.token) : null,
      createdBy: principal.tokenId,
      deletedAt: null,
    });
    return this.getHealthSource(id);
  }

  async removeHealthSource(id: string) {
    const source = await this.getHealthSource(id);
    const used = await this.slos.count({ where: { healthSourceId: id, deletedAt: IsNull() } });
    if (used)
      throw new ConflictError(`Health source "${source.name}" is used by ${used} SLO(s): remove or move them first.`);
    await this.sources.update(id, { deletedAt: new Date() });
    return source;
  }

  /** The URL and unsealed token of a health source; the token goes no further than the Prometheus client. */
  async connection(id: string): Promise<HealthSourceConnection> {
    const source = await this.sources
      .createQueryBuilder('h')
      .addSelect('h.tokenCiphertext')
      .where('h.id = :id', { id })
      .getOne();
    if (!source) throw new NotFoundError('Health source', id);
    return { url: source.url, token: source.tokenCiphertext ? this.box.open(source.tokenCiphertext) : null };
  }

  // ---- monitored services

  async listMonitoredServices(principal: Principal): Promise<MonitoredService[]> {
    const all = await this.monitored.find({ where: { deletedAt: IsNull() }, order: { createdAt: 'ASC' } });
    return all.filter((m) => can(principal, 'read', m.environment));
  }

  async getMonitoredService(id: string, principal: Principal | null): Promise<MonitoredService> {
    const found = await this.monitored.findOne({ where: { id, deletedAt: IsNull() } });
    if (!found) throw new NotFoundError('Monitored service', id);
    if (principal) assertCan(principal, 'read', found.environment);
    return found;
  }

  async createMonitoredService(input: z.infer<typeof CreateMonitoredServiceBody>, principal: Principal) {
    const service = await this.services.get(input.serviceId);
    const { infrastructure } = await this.infrastructures.getReadable(input.infrastructureId, principal);
    assertCan(principal, 'admin', infrastructure.environment);
    const taken = await this.monitored.findOne({
      where: { serviceId: service.id, infrastructureId: infrastructure.id, deletedAt: IsNull() },
    });
    if (taken)
      throw new ConflictError(
        `Service "${service.name}" on "${infrastructure.name}" is already monitored (monitored service ${taken.id}).`,
      );
    const id = crypto.randomUUID();
    await this.monitored.insert({
      id,
      name: input.name ?? `${service.name} on ${infrastructure.name}`,
      serviceId: service.id,
      infrastructureId: infrastructure.id,
      environment: infrastructure.environment,
      createdBy: principal.tokenId,
      deletedAt: null,
    });
    return this.getMonitoredService(id, principal);
  }

  async removeMonitoredService(id: string, principal: Principal) {
    const found = await this.getMonitoredService(id, principal);
    assertCan(principal, 'admin', found.environment);
    const slos = await this.slos.count({ where: { monitoredServiceId: id, deletedAt: IsNull() } });
    if (slos) throw new ConflictError(`Monitored service "${found.name}" has ${slos} SLO(s): remove them first.`);
    await this.monitored.update(id, { deletedAt: new Date() });
    return found;
  }

  // ---- SLOs

  async listSlos(principal: Principal, monitoredServiceId?: string): Promise<Slo[]> {
    const visible = new Set((await this.listMonitoredServices(principal)).map((m) => m.id));
    const all = await this.slos.find({
      where: { deletedAt: IsNull(), ...(monitoredServiceId ? { monitoredServiceId } : {}) },
      order: { createdAt: 'ASC' },
    });
    return all.filter((s) => visible.has(s.monitoredServiceId));
  }

  async getSlo(id: string, principal: Principal | null): Promise<Slo> {
    const slo = await this.slos.findOne({ where: { id, deletedAt: IsNull() } });
    if (!slo) throw new NotFoundError('SLO', id);
    await this.getMonitoredService(slo.monitoredServiceId, principal);
    return slo;
  }

  async createSlo(input: z.infer<typeof CreateSloBody>, principal: Principal) {
    const target = await this.getMonitoredService(input.monitoredServiceId, principal);
    assertCan(principal, 'admin', target.environment);
    await this.getHealthSource(input.healthSourceId);
    const taken = await this.slos
      .createQueryBuilder('s')
      .where('s.monitored_service_id = :m AND lower(s.name) = lower(:name) AND s.deleted_at IS NULL', {
        m: target.id,
        name: input.name,
      })
      .getOne();
    if (taken) throw new ConflictError(`Monitored service "${target.name}" already has an SLO named "${taken.name}".`);
    const id = crypto.randomUUID();
    await this.slos.insert({ id, ...input, lastEvaluation: null, createdBy: principal.tokenId, deletedAt: null });
    return this.getSlo(id, principal);
  }

  async removeSlo(id: string, principal: Principal) {
    const slo = await this.getSlo(id, principal);
    assertCan(principal, 'admin', (await this.getMonitoredService(slo.monitoredServiceId, null)).environment);
    const policies = await this.policies.count({ where: { sloId: id, deletedAt: IsNull() } });
    if (policies) throw new ConflictError(`SLO "${slo.name}" has ${policies} rollback policy(ies): remove them first.`);
    await this.slos.update(id, { deletedAt: new Date() });
    return slo;
  }

  /** Every live SLO with at least one live policy, for the evaluator. */
  async evaluated(): Promise<{ slo: Slo; monitored: MonitoredService; policies: RollbackPolicy[] }[]> {
    const policies = await this.policies.find({ where: { deletedAt: IsNull() }, order: { createdAt: 'ASC' } });
    const out: { slo: Slo; monitored: MonitoredService; policies: RollbackPolicy[] }[] = [];
    for (const sloId of new Set(policies.map((p) => p.sloId))) {
      const slo = await this.slos.findOne({ where: { id: sloId, deletedAt: IsNull() } });
      if (!slo) continue;
      const monitored = await this.monitored.findOne({ where: { id: slo.monitoredServiceId, deletedAt: IsNull() } });
      if (!monitored) continue;
      out.push({ slo, monitored, policies: policies.filter((p) => p.sloId === sloId) });
    }
    return out;
  }

  async saveEvaluation(slo: Slo, evaluation: NonNullable<Slo['lastEvaluation']>): Promise<void> {
    await this.slos.update(slo.id, { lastEvaluation: evaluation });
  }

  // ---- rollback policies

  async listPolicies(principal: Principal, sloId?: string): Promise<RollbackPolicy[]> {
    const visible = new Set((await this.listSlos(principal)).map((s) => s.id));
    const all = await this.policies.find({
      where: { deletedAt: IsNull(), ...(sloId ? { sloId } : {}) },
      order: { createdAt: 'ASC' },
    });
    return all.filter((p) => visible.has(p.sloId));
  }

  async getPolicy(id: string, principal: Principal | null): Promise<RollbackPolicy> {
    const policy = await this.policies.findOne({ where: { id, deletedAt: IsNull() } });
    if (!policy) throw new NotFoundError('Rollback policy', id);
    await this.getSlo(policy.sloId, principal);
    return policy;
  }

  async createPolicy(input: z.infer<typeof CreateRollbackPolicyBody>, principal: Principal) {
    const slo = await this.getSlo(input.sloId, principal);
    assertCan(principal, 'admin', (await this.getMonitoredService(slo.monitoredServiceId, null)).environment);
    const id = crypto.randomUUID();
    await this.policies.insert({
      id,
      sloId: slo.id,
      name: input.name,
      condition: input.condition,
      windowMinutes: input.windowMinutes,
      enabled: input.enabled ?? true,
      breachStartedAt: null,
      createdBy: principal.tokenId,
      deletedAt: null,
    });
    return this.getPolicy(id, principal);
  }

  async updatePolicy(id: string, input: z.infer<typeof UpdateRollbackPolicyBody>, principal: Principal) {
    const policy = await this.getPolicy(id, principal);
    const slo = await this.getSlo(policy.sloId, null);
    assertCan(principal, 'admin', (await this.getMonitoredService(slo.monitoredServiceId, null)).environment);
    await this.policies.update(id, input);
    return this.getPolicy(id, principal);
  }

  async removePolicy(id: string, principal: Principal) {
    const policy = await this.getPolicy(id, principal);
    const slo = await this.getSlo(policy.sloId, null);
    assertCan(principal, 'admin', (await this.getMonitoredService(slo.monitoredServiceId, null)).environment);
    await this.policies.update(id, { deletedAt: new Date() });
    return policy;
  }

  /**
   * The evaluator's breach of a policy: `startBreach` claims it (true only for the first evaluator process to see it),
   * `endBreach` clears it and answers when it had started (null when there was none, or another process cleared it).
   */
  async startBreach(policyId: string, at: Date): Promise<boolean> {
    const result: unknown[] = await this.policies.query(
      `UPDATE slo_rollback_policies SET breach_started_at = $2 WHERE id = $1 AND breach_started_at IS NULL RETURNING id`,
      [policyId, at],
    );
    return affected(result) === 1;
  }

  async endBreach(policyId: string): Promise<Date | null> {
    const [started]: { breach_started_at: Date | null }[] = await this.policies.query(
      `SELECT breach_started_at FROM slo_rollback_policies WHERE id = $1`,
      [policyId],
    );
    if (!started?.breach_started_at) return null;
    const result: unknown[] = await this.policies.query(
      `UPDATE slo_rollback_policies SET breach_started_at = NULL WHERE id = $1 AND breach_started_at = $2 RETURNING id`,
      [policyId, started.breach_started_at],
    );
    return affected(result) === 1 ? new Date(started.breach_started_at) : null;
  }

  // ---- decisions

  async listDecisions(monitoredServiceId: string, principal: Principal, limit: number): Promise<SloDecision[]> {
    await this.getMonitoredService(monitoredServiceId, principal);
    return this.decisions.find({ where: { monitoredServiceId }, order: { createdAt: 'DESC' }, take: limit });
  }
}

/** A health source as it leaves this service: whether it has a token, never the sealed text. */
function withoutToken(source: HealthSource): HealthSource & { hasToken: boolean } {
  const { tokenCiphertext, ...rest } = source;
  return Object.assign(new HealthSource(), rest, { hasToken: tokenCiphertext !== null });
}
