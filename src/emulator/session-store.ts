// Access tokens (session ids) and refresh tokens, each bound to one org.
import { newOpaqueToken } from './salesforce-id.js';

export interface SessionSnapshot {
  readonly sessions: readonly (readonly [token: string, orgId: string])[];
  readonly refreshTokens: readonly (readonly [token: string, orgId: string])[];
}

export class SessionStore {
  private readonly sessions = new Map<string, string>();
  private readonly refreshTokens = new Map<string, string>();

  /** A new access token for the org. */
  issue(orgId: string): string {
    const token = newOpaqueToken(orgId);
    this.sessions.set(token, orgId);
    return token;
  }

  /** Accepts a token chosen by the caller (the default org's configured access token). */
  register(token: string, orgId: string): void {
    this.sessions.set(token, orgId);
  }

  orgOf(token: string | undefined): string | undefined {
    return token === undefined ? undefined : this.sessions.get(token);
  }

  issueRefreshToken(orgId: string): string {
    const token = newOpaqueToken(orgId);
    this.refreshTokens.set(token, orgId);
    return token;
  }

  orgOfRefreshToken(token: string): string | undefined {
    return this.refreshTokens.get(token);
  }

  /** Ends one session; true if it existed. */
  expire(token: string): boolean {
    return this.sessions.delete(token);
  }

  /** Ends every session of an org (refresh tokens stay valid); returns how many ended. */
  expireOrg(orgId: string): number {
    let count = 0;
    for (const [token, owner] of this.sessions) {
      if (owner === orgId) {
        this.sessions.delete(token);
        count++;
      }
    }
    return count;
  }

  snapshot(): SessionSnapshot {
    return { sessions: [...this.sessions], refreshTokens: [...this.refreshTokens] };
  }

  restore(snapshot: SessionSnapshot): void {
    for (const [token, orgId] of snapshot.sessions) this.sessions.set(token, orgId);
    for (const [token, orgId] of snapshot.refreshTokens) this.refreshTokens.set(token, orgId);
  }
}
