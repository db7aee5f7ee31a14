import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { AppError } from '../common/errors.js';
import { parseInput } from '../common/validation.js';
import { PrometheusError } from './prometheus.client.js';
import {
  CreateHealthSourceBody,
  CreateMonitoredServiceBody,
  CreateRollbackPolicyBody,
  CreateSloBody,
  DecisionsQuery,
  UpdateRollbackPolicyBody,
} from './slo-input.js';
import { SloConfigService } from './slo-config.service.js';
import { SloEvaluator } from './slo-evaluator.service.js';
import {
  presentDecision,
  presentHealthSource,
  presentMonitoredService,
  presentPolicy,
  presentSlo,
} from './slo-presentation.js';

const uuid = () => new ParseUUIDPipe();
const BySlo = z.strictObject({ sloId: z.uuid().optional() });
const ByMonitoredService = z.strictObject({ monitoredServiceId: z.uuid().optional() });
const HistoryQuery = z.strictObject({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24),
  stepMinutes: z.coerce.number().int().min(1).max(1440).default(60),
});

/** Health sources, monitored services, SLOs, rollback policies and their decisions (docs/slo-rollback.md). */
@ApiTags('slo')
@ApiBearerAuth()
@Controller('api')
export class SloController {
  constructor(
    private readonly slo: SloConfigService,
    private readonly evaluator: SloEvaluator,
  ) {}

  @Post('health-sources')
  @RequirePermission('admin')
  async createHealthSource(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return presentHealthSource(await this.slo.createHealthSource(parseInput(CreateHealthSourceBody, body), principal));
  }

  @Get('health-sources')
  async listHealthSources() {
    return { items: (await this.slo.listHealthSources()).map(presentHealthSource) };
  }

  @Get('health-sources/:id')
  async getHealthSource(@Param('id', uuid()) id: string) {
    return presentHealthSource(await this.slo.getHealthSource(id));
  }

  @Delete('health-sources/:id')
  @RequirePermission('admin')
  async removeHealthSource(@Param('id', uuid()) id: string) {
    return presentHealthSource(await this.slo.removeHealthSource(id));
  }

  @Post('monitored-services')
  @RequirePermission('admin')
  async createMonitoredService(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const input = parseInput(CreateMonitoredServiceBody, body);
    return presentMonitoredService(await this.slo.createMonitoredService(input, principal));
  }

  @Get('monitored-services')
  async listMonitoredServices(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.slo.listMonitoredServices(principal)).map(presentMonitoredService) };
  }

  @Get('monitored-services/:id')
  async getMonitoredService(@Param('id', uuid()) id: string, @CurrentPrincipal() principal: Principal) {
    return presentMonitoredService(await this.slo.getMonitoredService(id, principal));
  }

  @Delete('monitored-services/:id')
  @RequirePermission('admin')
  async removeMonitoredService(@Param('id', uuid()) id: string, @CurrentPrincipal() principal: Principal) {
    return presentMonitoredService(await this.slo.removeMonitoredService(id, principal));
  }

  /** The audit events of the monitored service's policies, newest first. */
  @Get('monitored-services/:id/decisions')
  async decisions(@Param('id', uuid()) id: string, @Query() query: unknown, @CurrentPrincipal() principal: Principal) {
    const { limit } = parseInput(DecisionsQuery, query, 'query');
    return { items: (await this.slo.listDecisions(id, principal, limit)).map(presentDecision) };
  }

  @Post('slos')
  @RequirePermission('admin')
  async createSlo(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return presentSlo(await this.slo.createSlo(parseInput(CreateSloBody, body), principal));
  }

  @Get('slos')
  async listSlos(@Query() query: unknown, @CurrentPrincipal() principal: Principal) {
    const { monitoredServiceId } = parseInput(ByMonitoredService, query, 'query');
    return { items: (await this.slo.listSlos(principal, monitoredServiceId)).map(presentSlo) };
  }

  @Get('slos/:id')
  async getSlo(@Param('id', uuid()) id: string, @CurrentPrincipal() principal: Principal) {
    return presentSlo(await this.slo.getSlo(id, principal));
  }

  /** The SLI and burn rate per step over the last hours, from Prometheus (`/api/v1/query_range`); 502 if it fails. */
  @Get('slos/:id/history')
  async history(@Param('id', uuid()) id: string, @Query() query: unknown, @CurrentPrincipal() principal: Principal) {
    const { hours, stepMinutes } = parseInput(HistoryQuery, query, 'query');
    const slo = await this.slo.getSlo(id, principal);
    try {
      return { hours, stepMinutes, points: await this.evaluator.history(slo, hours, stepMinutes) };
    } catch (error) {
      if (error instanceof PrometheusError) throw new AppError(502, error.message);
      throw error;
    }
  }

  @Delete('slos/:id')
  @RequirePermission('admin')
  async removeSlo(@Param('id', uuid()) id: string, @CurrentPrincipal() principal: Principal) {
    return presentSlo(await this.slo.removeSlo(id, principal));
  }

  @Post('rollback-policies')
  @RequirePermission('admin')
  async createPolicy(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return presentPolicy(await this.slo.createPolicy(parseInput(CreateRollbackPolicyBody, body), principal));
  }

  @Get('rollback-policies')
  async listPolicies(@Query() query: unknown, @CurrentPrincipal() principal: Principal) {
    const { sloId } = parseInput(BySlo, query, 'query');
    return { items: (await this.slo.listPolicies(principal, sloId)).map(presentPolicy) };
  }

  @Get('rollback-policies/:id')
  async getPolicy(@Param('id', uuid()) id: string, @CurrentPrincipal() principal: Principal) {
    return presentPolicy(await this.slo.getPolicy(id, principal));
  }

  /** Renames, changes the condition or window, or enables/disables a policy. */
  @Patch('rollback-policies/:id')
  @RequirePermission('admin')
  async updatePolicy(@Param('id', uuid()) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return presentPolicy(await this.slo.updatePolicy(id, parseInput(UpdateRollbackPolicyBody, body), principal));
  }

  @Delete('rollback-policies/:id')
  @RequirePermission('admin')
  async removePolicy(@Param('id', uuid()) id: string, @CurrentPrincipal() principal: Principal) {
    return presentPolicy(await this.slo.removePolicy(id, principal));
  }
}
