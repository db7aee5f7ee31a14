// The orgs this emulator hosts, each with one user and its own metadata.
import { randomBytes } from 'node:crypto';
import { ComponentStore } from './component-store.js';
import { DeletedFields } from './irreversible.js';
import { newOpaqueToken, newSalesforceId } from './salesforce-id.js';

export interface OrgUser {
  readonly id: string;
  readonly username: string;
  readonly password: string;
  readonly displayName: string;
}

export interface OrgData {
  readonly id: string;
  readonly name: string;
  user: OrgUser;
  readonly createdDate: string;
  /** The org's standing access token, handed out by the admin API (logins issue others). */
  accessToken: string;
}

export interface Org extends OrgData {
  readonly components: ComponentStore;
  /** Custom fields deleted in the last 15 days (not persisted: a restarted emulator starts with none). */
  readonly deletedFields: DeletedFields;
}

export interface NewOrgOptions {
  readonly name?: string;
  readonly username?: string;
  readonly password?: string;
  /** The standing access token; generated when absent. */
  readonly accessToken?: string;
}

export class OrgConflictError extends Error {}

export function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}

export class OrgRegistry {
  private readonly orgs = new Map<string, Org>();

  create(options: NewOrgOptions = {}): Org {
    const id = newSalesforceId('00D');
    const username = options.username ?? `admin-${id.slice(-8).toLowerCase()}@backtrack.local`;
    return this.add({
      id,
      name: options.name ?? username,
      user: {
        id: newSalesforceId('005'),
        username,
        password: options.password ?? generatePassword(),
        displayName: 'Admin User',
      },
      createdDate: new Date().toISOString(),
      accessToken: options.accessToken ?? newOpaqueToken(id),
    });
  }

  /** Adds an org from its saved data (or a new one); usernames are unique across orgs. */
  add(data: OrgData): Org {
    if (this.byUsername(data.user.username))
      throw new OrgConflictError(`Username ${data.user.username} is already taken`);
    const org: Org = { ...data, components: new ComponentStore(), deletedFields: new DeletedFields() };
    this.orgs.set(org.id, org);
    return org;
  }

  get(id: string): Org | undefined {
    return this.orgs.get(id);
  }

  byUsername(username: string): Org | undefined {
    return [...this.orgs.values()].find((org) => org.user.username.toLowerCase() === username.toLowerCase());
  }

  list(): Org[] {
    return [...this.orgs.values()];
  }
}
