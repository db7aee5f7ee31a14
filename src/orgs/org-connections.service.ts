import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { BadGatewayError, NotFoundError, UnprocessableError } from '../common/errors.js';
import type { SecretBox } from '../common/secret-box.js';
import {
  SalesforceAuthError,
  SalesforceUnavailableError,
  type MetadataApiGateway,
  type MetadataSession,
  type OrgTarget,
} from '../salesforce/metadata-api.gateway.js';
import { Org } from './org.entity.js';
import type { OrgAuth } from './org-credentials.js';

export const METADATA_API_GATEWAY = Symbol('METADATA_API_GATEWAY');
export const SECRET_BOX = Symbol('SECRET_BOX');

/** Opens Metadata API sessions to registered orgs; the only place that unseals their credentials. */
@Injectable()
export class OrgConnections {
  constructor(
    @InjectRepository(Org) private readonly orgs: Repository<Org>,
    @Inject(METADATA_API_GATEWAY) private readonly gateway: MetadataApiGateway,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  seal(auth: OrgAuth): string {
    return this.box.seal(JSON.stringify(auth));
  }

  async open(orgId: string): Promise<MetadataSession> {
    const org = await this.orgs.findOne({
      where: { id: orgId, deletedAt: IsNull() },
      select: { id: true, name: true, instanceUrl: true, apiVersion: true, secretCiphertext: true },
    });
    if (!org) throw new NotFoundError('Org', orgId);
    const auth = JSON.parse(this.box.open(org.secretCiphertext)) as OrgAuth;
    return this.connect({ instanceUrl: org.instanceUrl, apiVersion: org.apiVersion, auth }, org.name);
  }

  /** Connects and proves the session works; failures become sentences naming the org and what to fix. */
  async connect(target: OrgTarget, name: string): Promise<MetadataSession> {
    try {
      const session = await this.gateway.connect(target);
      await session.identity();
      return session;
    } catch (error) {
      if (error instanceof SalesforceAuthError) {
        throw Object.assign(
          new UnprocessableError(
            `Salesforce refused the credentials for "${name}": ${error.message} Check the auth fields and try again.`,
          ),
          { cause: error },
        );
      }
      if (error instanceof SalesforceUnavailableError) {
        throw Object.assign(
          new BadGatewayError(
            `Cannot reach "${name}" at ${target.instanceUrl}: ${error.message} Check instanceUrl and the network.`,
          ),
          { cause: error },
        );
      }
      throw error;
    }
  }
}
