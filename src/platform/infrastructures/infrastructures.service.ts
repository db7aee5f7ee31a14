import crypto from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { assertCan } from '../../auth/auth.guard.js';
import { can, type Principal } from '../../auth/permissions.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../common/errors.js';
import type { SecretBox } from '../../common/secret-box.js';
import { SECRET_BOX } from '../../orgs/org-connections.service.js';
import type { StageTarget } from '../provider.js';
import { Infrastructure } from './infrastructure.entity.js';
import {
  describeConnection,
  parseConnection,
  type ConnectedKind,
  type ConnectionView,
  type InfrastructureConnection,
} from './infrastructure-connection.js';
import { isUniqueViolation } from '../../database/unique-violation.js';

export type CreateInfrastructure = { name: string; environment: string } & InfrastructureConnection;
export interface UpdateInfrastructure {
  name?: string;
  environment?: string;
  /** As the request gave it: checked against the infrastructure's kind. */
  connection?: unknown;
}

/** An infrastructure with what the API shows of its connection (never the connection itself). */
export interface InfrastructureView {
  infrastructure: Infrastructure;
  connection: ConnectionView | null;
}

/**
 * Infrastructures are read in the principal's environments and changed by admins of theirs. `salesforce` ones belong
 * to orgs: they are created, renamed and deleted only through /api/orgs.
 */
@Injectable()
export class InfrastructuresService {
  constructor(
    @InjectRepository(Infrastructure) private readonly infrastructures: Repository<Infrastructure>,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  /** The infrastructures in the principal's environments. */
  async listReadable(principal: Principal): Promise<InfrastructureView[]> {
    const all = await this.withConnection().orderBy('i.created_at', 'ASC').getMany();
    return Promise.all(all.filter((i) => can(principal, 'read', i.environment)).map((i) => this.view(i)));
  }

  /** An infrastructure the principal may read: 403 naming the environment when it is outside the token's (as orgs). */
  async getReadable(id: string, principal: Principal): Promise<InfrastructureView> {
    const infrastructure = await this.get(id);
    assertCan(principal, 'read', infrastructure.environment);
    return this.view(infrastructure);
  }

  /**
   * The infrastructure a stage works on, with its connection unsealed: the kubeconfig or server and token of a
   * Kubernetes cluster (KubernetesConnection), the hosts and private key of SSH hosts (SshConnection), `{orgId}` for
   * an org. For the execution engine only — it never leaves the server.
   */
  async openConnection(id: string): Promise<StageTarget> {
    const infrastructure = await this.get(id);
    const connection =
      infrastructure.kind === 'salesforce' ? { orgId: infrastructure.orgId } : this.unseal(infrastructure);
    return {
      id: infrastructure.id,
      name: infrastructure.name,
      environment: infrastructure.environment,
      kind: infrastructure.kind,
      connection,
    };
  }

  async create(input: CreateInfrastructure, principal: Principal): Promise<InfrastructureView> {
    assertCan(principal, 'admin', input.environment);
    await this.assertNameFree(input.name);
    const id = crypto.randomUUID();
    await this.unique(
      this.infrastructures.insert({
        id,
        name: input.name,
        environment: input.environment,
        kind: input.kind,
        connectionCiphertext: this.seal(input.connection),
        orgId: null,
        createdBy: principal.tokenId,
        deletedAt: null,
      }),
      input.name,
    );
    return this.view(await this.get(id));
  }

  /** Renames, moves to another environment or rotates the connection (admin in both environments when it moves). */
  async update(id: string, input: UpdateInfrastructure, principal: Principal): Promise<InfrastructureView> {
    const current = await this.get(id);
    assertCan(principal, 'admin', current.environment);
    this.assertNotOrg(current, 'changed', `PUT /api/orgs/${current.orgId ?? ''}/credentials`);
    if (input.environment !== undefined) assertCan(principal, 'admin', input.environment);
    const connection =
      input.connection === undefined ? undefined : (await parseConnection(current.kind, input.connection)).connection;
    if (input.name !== undefined) await this.assertNameFree(input.name, id);
    await this.unique(
      this.infrastructures.update(id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.environment !== undefined ? { environment: input.environment } : {}),
        ...(connection !== undefined ? { connectionCiphertext: this.seal(connection) } : {}),
      }),
      input.name ?? current.name,
    );
    return this.view(await this.get(id));
  }

  /**
   * The infrastructure a component of Backtrack itself provides (the embedded default's Local Cluster): created as
   * `systemTokenId` when the name is free, its connection (and environment) brought up to date when the system made
   * it (the emulator's port may change on a restart), left alone when a person made one under that name.
   */
  async ensureSystemInfrastructure(
    input: CreateInfrastructure,
    systemTokenId: string,
  ): Promise<'created' | 'updated' | 'left alone'> {
    const existing = await this.infrastructures
      .createQueryBuilder('i')
      .where('lower(i.name) = lower(:name) AND i.deleted_at IS NULL', { name: input.name })
      .getOne();
    if (existing && (existing.createdBy !== systemTokenId || existing.kind !== input.kind)) return 'left alone';
    if (existing) {
      await this.infrastructures.update(existing.id, {
        environment: input.environment,
        connectionCiphertext: this.seal(input.connection),
      });
      return 'updated';
    }
    await this.unique(
      this.infrastructures.insert({
        id: crypto.randomUUID(),
        name: input.name,
        environment: input.environment,
        kind: input.kind,
        connectionCiphertext: this.seal(input.connection),
        orgId: null,
        createdBy: systemTokenId,
        deletedAt: null,
      }),
      input.name,
    );
    return 'created';
  }

  /** Removes an infrastructure from use; what ran against it stays for the audit trail. */
  async remove(id: string, principal: Principal): Promise<InfrastructureView> {
    const infrastructure = await this.get(id);
    assertCan(principal, 'admin', infrastructure.environment);
    this.assertNotOrg(infrastructure, 'deleted', `DELETE /api/orgs/${infrastructure.orgId ?? ''}`);
    const view = await this.view(infrastructure);
    await this.infrastructures.update(id, { deletedAt: new Date() });
    return view;
  }

  private async get(id: string): Promise<Infrastructure> {
    const infrastructure = await this.withConnection().andWhere('i.id = :id', { id }).getOne();
    if (!infrastructure) throw new NotFoundError('Infrastructure', id);
    return infrastructure;
  }

  /** Live infrastructures with their sealed connection, which stays in this service (only its description leaves). */
  private withConnection() {
    return this.infrastructures
      .createQueryBuilder('i')
      .addSelect('i.connectionCiphertext')
      .where('i.deleted_at IS NULL');
  }

  private async view(infrastructure: Infrastructure): Promise<InfrastructureView> {
    const unsealed = this.unseal(infrastructure);
    const connection =
      infrastructure.kind === 'salesforce' || unsealed === null
        ? null
        : await describeConnection(infrastructure.kind, unsealed);
    // The sealed text goes no further than here.
    const { connectionCiphertext: _sealed, ...rest } = infrastructure;
    return { infrastructure: rest as Infrastructure, connection };
  }

  /** The stored connection as it was parsed for the infrastructure's kind, or null when it has none. */
  private unseal(infrastructure: Infrastructure): unknown {
    const sealed = infrastructure.connectionCiphertext;
    return sealed ? (JSON.parse(this.box.open(sealed)) as unknown) : null;
  }

  private seal(connection: InfrastructureConnection['connection']): string {
    return this.box.seal(JSON.stringify(connection));
  }

  private assertNotOrg(
    infrastructure: Infrastructure,
    verb: string,
    route: string,
  ): asserts infrastructure is Infrastructure & { kind: ConnectedKind } {
    if (infrastructure.kind === 'salesforce')
      throw new BadRequestError(
        `"${infrastructure.name}" is a Salesforce org's infrastructure: it is ${verb} through its org (${route}).`,
      );
  }

  private async assertNameFree(name: string, except?: string): Promise<void> {
    const taken = await this.infrastructures
      .createQueryBuilder('i')
      .where('lower(i.name) = lower(:name) AND i.deleted_at IS NULL', { name })
      .getOne();
    if (taken && taken.id !== except) throw nameTaken(taken.name);
  }

  /** Two requests racing for one name: the unique index lets one through, the other gets the same 409. */
  private async unique<T>(write: Promise<T>, name: string): Promise<T> {
    try {
      return await write;
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(name);
      throw error;
    }
  }
}

function nameTaken(name: string): ConflictError {
  return new ConflictError(`An infrastructure named "${name}" already exists; pick another name.`);
}
