import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { parseInput } from '../common/validation.js';
import { AlertmanagerPayload } from './alertmanager-payload.js';
import { AlertmanagerReceiver } from './alertmanager-receiver.service.js';
import { presentDecision } from './slo-presentation.js';

/**
 * Alertmanager's webhook receiver (docs/slo-rollback.md): `http_config.authorization` carries a token holding
 * `rollback` in the alerts' environment. 200 with what each policy decided; 400 for a body that is not a version 4
 * payload (Alertmanager does not retry a 4xx, and would only send the same body again).
 */
@ApiTags('slo')
@ApiBearerAuth()
@Controller('api/hooks')
export class AlertmanagerController {
  constructor(private readonly receiver: AlertmanagerReceiver) {}

  @Post('alertmanager')
  @HttpCode(200)
  @RequirePermission('rollback')
  async receive(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const payload = parseInput(AlertmanagerPayload, body, 'Alertmanager payload');
    const { decisions, unmatched } = await this.receiver.receive(payload, principal);
    return { decisions: decisions.map(presentDecision), unmatched };
  }
}
