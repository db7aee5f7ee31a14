import { z } from 'zod';

const loginUrl = z.url({ protocol: /^https?$/ }).optional();

/** The four ways to reach an org. Secrets in here are sealed at rest and never leave the service. */
export const OrgAuth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('accessToken'), accessToken: z.string().min(1) }),
  z.strictObject({
    type: z.literal('refreshToken'),
    refreshToken: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    loginUrl,
  }),
  z.strictObject({
    type: z.literal('sfdxAuthUrl'),
    sfdxAuthUrl: z
      .string()
      .regex(/^force:\/\/[^@\s]+@\S+$/, 'must look like force://<clientId>:<clientSecret>:<refreshToken>@<instance>'),
  }),
  z.strictObject({
    type: z.literal('password'),
    username: z.string().min(1),
    password: z.string().min(1),
    loginUrl,
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
  }),
]);
export type OrgAuth = z.infer<typeof OrgAuth>;

export const CreateOrgBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  environment: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only (e.g. production, uat)'),
  instanceUrl: z.url({ protocol: /^https?$/ }),
  apiVersion: z
    .string()
    .regex(/^\d{2,3}\.0$/, 'a version such as 60.0')
    .default('60.0'),
  auth: OrgAuth,
});
export type CreateOrgBody = z.infer<typeof CreateOrgBody>;

/** The user name an org's credentials carry, when they carry one (shown instead of any secret). */
export function usernameOf(auth: OrgAuth): string | null {
  return auth.type === 'password' ? auth.username : null;
}
