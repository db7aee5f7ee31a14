export const PERMISSIONS = ['read', 'deploy', 'rollback', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Who is calling: the token's id, name, permissions and (when limited) environments. */
export interface Principal {
  tokenId: string;
  name: string;
  permissions: Permission[];
  environments: string[] | null;
}

/**
 * Whether the principal holds `permission`, for `environment` when one is given. `admin` holds every permission;
 * a token limited to environments holds its permissions only there (reads of environment-less things are allowed).
 */
export function can(principal: Principal, permission: Permission, environment?: string): boolean {
  const holds = principal.permissions.includes('admin') || principal.permissions.includes(permission);
  if (!holds) return false;
  if (environment === undefined || principal.environments === null) return true;
  return principal.environments.map((e) => e.toLowerCase()).includes(environment.toLowerCase());
}

/** The sentence a 403 carries: which permission is missing, and where. */
export function missingPermissionMessage(principal: Principal, permission: Permission, environment?: string): string {
  const holds = principal.permissions.includes('admin') || principal.permissions.includes(permission);
  if (!holds) return `This token lacks the "${permission}" permission; ask an admin for a token that has it.`;
  return `This token has "${permission}" only for ${principal.environments!.join(', ')}, not for the "${environment}" environment.`;
}
