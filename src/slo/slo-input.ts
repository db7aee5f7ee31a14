import { z } from 'zod';
import { PlatformName } from '../platform/platform-input.js';

/** The request bodies of the SLO API (docs/slo-rollback.md); a mismatch is a 400 naming the field. */

const httpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\/[^/\s]+/i.test(value) && URL.canParse(value), 'must be an http:// or https:// URL');

export const CreateHealthSourceBody = z.strictObject({
  name: PlatformName,
  url: httpUrl,
  /** Sent as `Authorization: Bearer <token>` to Prometheus; sealed at rest, never shown. */
  token: z.string().min(1).optional(),
});

export const CreateMonitoredServiceBody = z.strictObject({
  name: PlatformName.optional(),
  serviceId: z.uuid(),
  infrastructureId: z.uuid(),
});

/** A PromQL expression counting events over `$window` (Backtrack puts the compliance period or the burn window in). */
const WindowedQuery = z
  .string()
  .trim()
  .min(1)
  .max(4000)
  .refine(
    (q) => q.includes('$window'),
    'must contain $window where the range goes, e.g. sum(increase(http_requests_total[$window]))',
  );

export const CreateSloBody = z.strictObject({
  monitoredServiceId: z.uuid(),
  healthSourceId: z.uuid(),
  name: PlatformName,
  goodQuery: WindowedQuery,
  validQuery: WindowedQuery,
  /** The share of valid events that must be good, in percent: 99.5. */
  targetPercent: z.number().gt(0).lt(100),
  /** The rolling compliance period. */
  periodDays: z.number().int().min(1).max(90),
});

export const PolicyConditionBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('errorBudgetRemainingBelow'), percent: z.number().gt(-10_000).lte(100) }),
  z.strictObject({
    type: z.literal('burnRateAbove'),
    rate: z.number().positive(),
    windowMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
  }),
]);

export const CreateRollbackPolicyBody = z.strictObject({
  sloId: z.uuid(),
  name: PlatformName,
  condition: PolicyConditionBody,
  /** How long after a deployment finished a breach rolls it back. */
  windowMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
  enabled: z.boolean().optional(),
});

export const UpdateRollbackPolicyBody = z
  .strictObject({
    name: PlatformName.optional(),
    condition: PolicyConditionBody.optional(),
    windowMinutes: CreateRollbackPolicyBody.shape.windowMinutes.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'name, condition, windowMinutes or enabled is required');

export const DecisionsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
