export const PERMISSIONS = ['read', 'deploy', 'rollback', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Who is calling: the token's id, name, permissions and (when limited) environments. */
export interface Principal {
  tokenId: string;
  name: string;
  permissions: Permission[];
  environments: string[] | null;
}

/** What a token grants: its permissions, in its environments (null: all environments). */
export type Scope = Pick<Principal, 'permissions' | 'environments'>;

/**
 * Whether the scope holds `permission` anywhere. `admin` holds every permission; `deploy` and `rollback` imply
 * `read`, so a pipeline token can poll and follow the jobs it starts (in its environments only, see `can`).
 */
export function holds(scope: Scope, permission: Permission): boolean {
  const held = scope.permissions;
  if (held.includes('admin') || held.includes(permission)) return true;
  return permission === 'read' && (held.includes('deploy') || held.includes('rollback'));
}

/** Whether the scope reaches `environment` (case-insensitive); everything without an environment is reachable. */
export function reaches(scope: Scope, environment?: string | null): boolean {
  if (environment === undefined || environment === null || scope.environments === null) return true;
  return scope.environments.some((e) => e.toLowerCase() === environment.toLowerCase());
}

/**
 * Whether the principal holds `permission`, for `environment` when one is given. A token limited to environments
 * holds its permissions only there; things without an environment (branches) are not limited.
 */
export function can(scope: Scope, permission: Permission, environment?: string | null): boolean {
  return holds(scope, permission) && reaches(scope, environment);
}

/** The sentence a 403 carries: which permission is missing, and where. */
export function missingPermissionMessage(scope: Scope, permission: Permission, environment?: string | null): string {
  if (!holds(scope, permission))
    return `This token lacks the "${permission}" permission; ask an admin for a token that has it.`;
  return `This token has "${permission}" only for ${scope.environments!.join(', ')}, not for the "${environment}" environment.`;
}

/**
 * Why `holder` may not create (or see, or revoke) a token of scope `requested`, or null when it may: a token
 * never grants more than its holder has — no permission the holder lacks, no environment outside the holder's.
 */
export function grantRefusal(holder: Scope, requested: Scope): string | null {
  const missing = requested.permissions.filter((p) => !holds(holder, p));
  if (missing.length) {
    return `This token cannot grant ${missing.map((p) => `"${p}"`).join(', ')}: it holds only ${holder.permissions.join(', ')}.`;
  }
  if (holder.environments === null) return null;
  const limits = holder.environments.join(', ');
  if (requested.environments === null) {
    return `This token is limited to ${limits}, so it can only grant tokens limited to them too: send "environments" (some of ${limits}).`;
  }
  const outside = requested.environments.filter((e) => !reaches(holder, e));
  if (outside.length) {
    return `This token is limited to ${limits}, so it cannot grant access to ${outside.map((e) => `"${e}"`).join(', ')}.`;
  }
  return null;
}

/** Whether `holder` may create, list or revoke a token of scope `token`. */
export function canGrant(holder: Scope, token: Scope): boolean {
  return grantRefusal(holder, token) === null;
}

/** Token environments as stored: trimmed, one entry per name (case-insensitive), first spelling kept. */
export function normalizeEnvironments(environments: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of environments) {
    const name = raw.trim();
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    out.push(name);
  }
  return out;
}
