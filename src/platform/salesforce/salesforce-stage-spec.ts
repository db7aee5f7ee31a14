import { z } from 'zod';
import { checkTestOptions, TestOptions } from '../../deployments/test-options.js';
import { parseInput } from '../../common/validation.js';
import { StageFailed } from '../provider.js';

/** An expression still to resolve (`<+stages.db.output.revision>`): the engine resolves it when the stage runs. */
const EXPRESSION = /^<\+.+>$/;

/**
 * A `salesforce` stage's spec (docs/platform-api.md): a branch (name or id) and a revision of it (the branch's
 * latest when the stage runs, when absent), with the test options every deploy takes (the deploy API's own rules).
 * In a definition the revision may still be an expression, or its resolved value as a string of digits.
 */
export const SalesforceStageSpec = z
  .strictObject({
    branch: z.string().trim().min(1),
    revision: z
      .union([
        z.number().int().min(1),
        z
          .string()
          .trim()
          .refine(
            (v) => /^[1-9]\d*$/.test(v) || EXPRESSION.test(v),
            'must be a revision number (1 or more) or an expression such as <+stages.NAME.output.revision>',
          ),
      ])
      .optional(),
    ...TestOptions,
  })
  .superRefine(checkTestOptions);
export type SalesforceStageSpec = z.infer<typeof SalesforceStageSpec>;

/** A spec from a pipeline definition, or a 400 naming the field (`Invalid salesforce stage spec: branch: …`). */
export function parseSalesforceSpec(spec: unknown): SalesforceStageSpec {
  return parseInput(SalesforceStageSpec, spec, 'salesforce stage spec');
}

/** The revision number a resolved spec deploys (undefined: the branch's latest); an unresolved expression fails. */
export function specRevision(spec: SalesforceStageSpec): number | undefined {
  if (spec.revision === undefined || typeof spec.revision === 'number') return spec.revision;
  if (EXPRESSION.test(spec.revision))
    throw new StageFailed(`The revision ${spec.revision} was not resolved; the stage needs a revision number.`);
  return Number(spec.revision);
}

/** What the Instances view shows a stage deploys: `release@r3`, or `release@latest` when no revision is named. */
export function salesforceArtifact(spec: Pick<SalesforceStageSpec, 'branch' | 'revision'>): string {
  const revision = spec.revision === undefined ? 'latest' : `r${spec.revision}`;
  return `${spec.branch}@${revision}`;
}

/** `target.connection` of a `salesforce` infrastructure: the org it is. */
const OrgConnection = z.object({ orgId: z.string().min(1) });

/** The org a `salesforce` stage's target is; a connection without one fails the stage (not an org's infrastructure). */
export function targetOrgId(target: { name: string; connection: unknown }): string {
  const parsed = OrgConnection.safeParse(target.connection);
  if (!parsed.success)
    throw new StageFailed(`The infrastructure "${target.name}" is not an org's: its connection names no orgId.`);
  return parsed.data.orgId;
}
