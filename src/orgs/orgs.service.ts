import crypto from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { assertCan } from '../auth/auth.guard.js';
import { can, type Principal } from '../auth/permissions.js';
import { BadRequestError, ConflictError, NotFoundError } from '../common/errors.js';
import { isMalformedId, isUuid, malformedIdMessage } from '../common/ids.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { Org } from './org.entity.js';
import { OrgConnections } from './org-connections.service.js';
import { usernameOf, type CreateOrgBody } from './org-credentials.js';
import { isUniqueViolation } from '../database/unique-violation.js';

@Injectable()
export class OrgsService {
  constructor(
    @InjectRepository(Org) private readonly orgs: Repository<Org>,
    private readonly connections: OrgConnections,
    private readonly jobs: JobsRepository,
  ) {}

  list(): Promise<Org[]> {
    return this.orgs.find({ where: { deletedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  /** The orgs in the principal's environments. */
  async listReadable(principal: Principal): Promise<Org[]> {
    return (await this.list()).filter((org) => can(principal, 'read', org.environment));
  }

  /** An org the principal may read: 403 naming the environment when it is outside the token's. */
  async getReadable(id: string, principal: Principal): Promise<Org> {
    const org = await this.get(id);
    assertCan(principal, 'read', org.environment);
    return org;
  }

  async get(id: string): Promise<Org> {
    const org = await this.orgs.findOne({ where: { id, deletedAt: IsNull() } });
    if (!org) throw new NotFoundError('Org', id);
    return org;
  }

  /** An org by id or by name (what the CLI passes). */
  async resolve(idOrName: string): Promise<Org> {
    const org = isUuid(idOrName)
      ? await this.orgs.findOne({ where: { id: idOrName, deletedAt: IsNull() } })
      : await this.findByName(idOrName);
    if (!org && isMalformedId(idOrName)) throw new BadRequestError(malformedIdMessage('org', idOrName));
    if (!org) throw new NotFoundError('Org', idOrName);
    return org;
  }

  async findByName(name: string): Promise<Org | null> {
    return this.orgs
      .createQueryBuilder('o')
      .where('lower(o.name) = lower(:name) AND o.deleted_at IS NULL', { name })
      .getOne();
  }

  /** Registers an org after proving its credentials work. */
  async create(body: CreateOrgBody, principal: Principal, options: { demo?: boolean } = {}): Promise<Org> {
    assertCan(principal, 'admin', body.environment);
    if (await this.findByName(body.name))
      throw new ConflictError(`An org named "${body.name}" already exists; pick another name.`);
    await this.assertInfrastructureNameFree(body.name);
    const session = await this.connections.connect(
      { instanceUrl: body.instanceUrl, apiVersion: body.apiVersion, auth: body.auth },
      body.name,
    );
    const identity = await session.identity();
    const org = this.orgs.create({
      id: crypto.randomUUID(),
      name: body.name,
      environment: body.environment,
      instanceUrl: body.instanceUrl.replace(/\/+$/, ''),
      apiVersion: body.apiVersion,
      authType: body.auth.type,
      secretCiphertext: this.connections.seal(body.auth),
      username: identity.username ?? usernameOf(body.auth),
      organizationId: identity.organizationId ?? null,
      isDemo: options.demo ?? false,
      createdBy: principal.tokenId,
      deletedAt: null,
    });
    // The org is also an infrastructure of kind salesforce (ADR 0014): both rows land together or neither does.
    // A request racing for the same name meets the unique indexes: the same 409 as the checks above.
    await this.orgs.manager
      .transaction(async (manager) => {
        await manager.insert(Org, org);
        await manager.query(
          `INSERT INTO infrastructures (id, name, environment, kind, org_id, created_by)
         VALUES ($1, $2, $3, 'salesforce', $4, $5)`,
          [crypto.randomUUID(), org.name, org.environment, org.id, org.createdBy],
        );
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error))
          throw new ConflictError(`An org or infrastructure named "${body.name}" already exists; pick another name.`);
        throw error;
      });
    return this.get(org.id);
  }

  /** An org's name is also its infrastructure's: a Kubernetes infrastructure may hold it already. */
  private async assertInfrastructureNameFree(name: string): Promise<void> {
    const taken: unknown[] = await this.orgs.query(
      `SELECT 1 FROM infrastructures WHERE lower(name) = lower($1) AND deleted_at IS NULL`,
      [name],
    );
    if (taken.length)
      throw new ConflictError(`An infrastructure named "${name}" already exists; pick another name for the org.`);
  }

  /** Replaces the address and credentials of an org (the demo org moves with the emulator's port). */
  async updateConnection(id: string, instanceUrl: string, body: Pick<CreateOrgBody, 'auth'>): Promise<void> {
    await this.orgs.update(id, {
      instanceUrl,
      authType: body.auth.type,
      secretCiphertext: this.connections.seal(body.auth),
      username: usernameOf(body.auth),
    });
  }

  /**
   * Replaces an org's credentials (an expired access token, a rotated password) after proving the new ones work
   * and belong to the same org. Jobs waiting for working credentials resume with them.
   */
  async updateCredentials(id: string, auth: CreateOrgBody['auth'], principal: Principal): Promise<Org> {
    const org = await this.get(id);
    assertCan(principal, 'admin', org.environment);
    const target = { instanceUrl: org.instanceUrl, apiVersion: org.apiVersion, auth };
    const session = await this.connections.connect(target, org.name);
    const identity = await session.identity();
    if (org.organizationId && identity.organizationId && identity.organizationId !== org.organizationId) {
      throw new ConflictError(
        `These credentials belong to another org (${identity.organizationId}), not to "${org.name}" (${org.organizationId}).`,
      );
    }
    await this.orgs.update(id, {
      authType: auth.type,
      secretCiphertext: this.connections.seal(auth),
      username: identity.username ?? usernameOf(auth),
    });
    // Jobs of this org waiting for working credentials are resumed now (the reconciler takes them within seconds).
    await this.jobs.resumeWaitingOn(id);
    return this.get(id);
  }

  /** Removes an org from use; its jobs and snapshots stay for the audit trail. */
  async remove(id: string, principal: Principal): Promise<Org> {
    const org = await this.get(id);
    assertCan(principal, 'admin', org.environment);
    await this.orgs.manager.transaction(async (manager) => {
      const deletedAt = new Date();
      await manager.update(Org, id, { deletedAt });
      await manager.query(`UPDATE infrastructures SET deleted_at = $2 WHERE org_id = $1 AND deleted_at IS NULL`, [
        id,
        deletedAt,
      ]);
    });
    return org;
  }
}

/** What the API shows of an org: never a secret. */
export function presentOrg(org: Org) {
  return {
    id: org.id,
    name: org.name,
    environment: org.environment,
    instanceUrl: org.instanceUrl,
    apiVersion: org.apiVersion,
    authType: org.authType,
    username: org.username,
    organizationId: org.organizationId,
    demo: org.isDemo,
    createdAt: org.createdAt,
  };
}
