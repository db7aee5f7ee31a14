import crypto from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import type { Principal } from '../../auth/permissions.js';
import { ConflictError, NotFoundError } from '../../common/errors.js';
import { Service } from './service.entity.js';

export interface ServiceInput {
  name: string;
  description?: string | null;
}

/** Services are global, like branches: anyone who can read sees them; admins create, change and delete them. */
@Injectable()
export class ServicesService {
  constructor(@InjectRepository(Service) private readonly services: Repository<Service>) {}

  list(): Promise<Service[]> {
    return this.services.find({ where: { deletedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  async get(id: string): Promise<Service> {
    const service = await this.services.findOne({ where: { id, deletedAt: IsNull() } });
    if (!service) throw new NotFoundError('Service', id);
    return service;
  }

  async create(input: ServiceInput, principal: Principal): Promise<Service> {
    await this.assertNameFree(input.name);
    const service = this.services.create({
      id: crypto.randomUUID(),
      name: input.name,
      description: input.description ?? null,
      createdBy: principal.tokenId,
      deletedAt: null,
    });
    await this.services.insert(service);
    return this.get(service.id);
  }

  async update(id: string, input: Partial<ServiceInput>): Promise<Service> {
    const service = await this.get(id);
    if (input.name !== undefined) await this.assertNameFree(input.name, id);
    await this.services.update(id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    });
    return this.get(service.id);
  }

  /** Removes a service from use; what was deployed of it stays for the audit trail. */
  async remove(id: string): Promise<Service> {
    const service = await this.get(id);
    await this.services.update(id, { deletedAt: new Date() });
    return service;
  }

  private async assertNameFree(name: string, except?: string): Promise<void> {
    const taken = await this.services
      .createQueryBuilder('s')
      .where('lower(s.name) = lower(:name) AND s.deleted_at IS NULL', { name })
      .getOne();
    if (taken && taken.id !== except)
      throw new ConflictError(`A service named "${taken.name}" already exists; pick another name.`);
  }
}
