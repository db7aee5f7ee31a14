import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseInput } from '../common/validation.js';
import { ComponentDiffService } from './component-diff.service.js';

export const DiffQuery = z.strictObject({ live: z.enum(['true', 'false']).optional() });

@ApiTags('rollbacks')
@ApiBearerAuth()
@Controller('api/jobs')
export class ComponentDiffController {
  constructor(private readonly diffs: ComponentDiffService) {}

  /**
   * Per file of one component of a deploy: the snapshot (before), what the deploy left, and with `?live=true` the
   * org's content now; unified diffs for text, sizes and SHA-256 for binary files, drift marked.
   * Names with `/` (folder-based types) are sent URL-encoded (`%2F`).
   */
  @Get(':id/components/:type/:name/diff')
  diff(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('type') type: string,
    @Param('name') name: string,
    @Query() query: unknown,
  ) {
    const q = parseInput(DiffQuery, query, 'query');
    return this.diffs.diff(id, { type, fullName: name }, q.live === 'true');
  }
}
