// The UAA side: `POST /oauth/token` with the password, client_credentials and refresh_token grants, minting
// HS256 JWTs with `exp` and `jti` (the cf CLI parses its token as a JWT), and checking bearer tokens on API calls
// against the simulated clock.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export interface UaaUser {
  readonly username: string;
  readonly password: string;
}

export interface UaaClient {
  readonly id: string;
  readonly secret: string;
}

/** A UAA (OAuth2) error answer: `{error, error_description}`, not CF's shape. */
export class UaaError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }

  body() {
    return { error: this.error, error_description: this.description };
  }
}

export type Grant =
  | { kind: 'password'; clientId: string; clientSecret: string; username: string; password: string }
  | { kind: 'client_credentials'; clientId: string; clientSecret: string }
  | { kind: 'refresh_token'; clientId: string; clientSecret: string; refreshToken: string };

export interface TokenClaims {
  readonly jti: string;
  readonly sub: string;
  readonly client_id: string;
  readonly user_name?: string;
  readonly scope: readonly string[];
  readonly iat: number;
  readonly exp: number;
}

function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/**
 * What a token request asks for. The client comes from HTTP Basic (the cf CLI's password grant sends `cf:`) or from
 * `client_id`/`client_secret` in the body (its client_credentials grant); a missing field is a 400 `invalid_request`.
 */
export function parseGrant(form: URLSearchParams, authorization: string | undefined): Grant {
  const basic = basicCredentials(authorization);
  const clientId = basic?.id ?? form.get('client_id') ?? '';
  const clientSecret = basic?.secret ?? form.get('client_secret') ?? '';
  const required = (name: string) => {
    const value = form.get(name);
    if (!value) throw new UaaError(400, 'invalid_request', `Missing ${name}: the form field ${name} is required`);
    return value;
  };
  const grantType = required('grant_type');
  if (!clientId) throw new UaaError(401, 'unauthorized', 'Client authentication is required (HTTP Basic or client_id)');
  switch (grantType) {
    case 'password':
      return {
        kind: 'password',
        clientId,
        clientSecret,
        username: required('username'),
        password: required('password'),
      };
    case 'client_credentials':
      return { kind: 'client_credentials', clientId, clientSecret };
    case 'refresh_token':
      return { kind: 'refresh_token', clientId, clientSecret, refreshToken: required('refresh_token') };
    default:
      throw new UaaError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
  }
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function signJwt(claims: TokenClaims, secret: string): string {
  const unsigned = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** The claims of a token this UAA signed, `expired` past its `exp`, `invalid` for anything else. */
export function verifyJwt(token: string, secret: string, nowSeconds: number): TokenClaims | 'invalid' | 'expired' {
  const parts = token.split('.');
  if (parts.length !== 3) return 'invalid';
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return 'invalid';
  }
  return nowSeconds >= claims.exp ? 'expired' : claims;
}

const USER_SCOPE = ['openid', 'cloud_controller.read', 'cloud_controller.write', 'uaa.user'];
const CLIENT_SCOPE = ['cloud_controller.admin'];

/** The token endpoint and bearer check, with users, clients and outstanding refresh tokens. */
export class Uaa {
  private readonly refreshTokens = new Map<string, { username: string; clientId: string }>();

  constructor(
    private readonly users: readonly UaaUser[],
    private readonly clients: readonly UaaClient[],
    private readonly secret: string,
    private readonly tokenSeconds: number,
    private readonly nowSeconds: () => number,
  ) {}

  /** The JSON answer to a token request; a UaaError when it is refused. */
  grant(form: URLSearchParams, authorization: string | undefined): Record<string, unknown> {
    const grant = parseGrant(form, authorization);
    if (grant.kind === 'client_credentials') {
      if (!this.clients.some((c) => c.id === grant.clientId && c.secret === grant.clientSecret))
        throw new UaaError(401, 'unauthorized', 'Bad credentials');
      return this.tokenAnswer({ sub: grant.clientId, clientId: grant.clientId, scope: CLIENT_SCOPE });
    }
    // Password and refresh grants come from the cf client (empty secret) or a registered client.
    const knownClient =
      (grant.clientId === 'cf' && grant.clientSecret === '') ||
      this.clients.some((c) => c.id === grant.clientId && c.secret === grant.clientSecret);
    if (!knownClient) throw new UaaError(401, 'unauthorized', 'Bad credentials');
    let username: string;
    if (grant.kind === 'password') {
      if (!this.users.some((u) => u.username === grant.username && u.password === grant.password))
        throw new UaaError(401, 'unauthorized', 'Bad credentials');
      username = grant.username;
    } else {
      const held = this.refreshTokens.get(grant.refreshToken);
      if (held?.clientId !== grant.clientId)
        throw new UaaError(401, 'invalid_token', 'Invalid refresh token (expired or unknown)');
      username = held.username;
    }
    const refreshToken = `${randomUUID().replace(/-/g, '')}-r`;
    this.refreshTokens.set(refreshToken, { username, clientId: grant.clientId });
    return {
      ...this.tokenAnswer({ sub: username, clientId: grant.clientId, userName: username, scope: USER_SCOPE }),
      refresh_token: refreshToken,
    };
  }

  verify(token: string): TokenClaims | 'invalid' | 'expired' {
    return verifyJwt(token, this.secret, this.nowSeconds());
  }

  private tokenAnswer(who: { sub: string; clientId: string; userName?: string; scope: readonly string[] }) {
    const iat = this.nowSeconds();
    const claims: TokenClaims = {
      jti: randomUUID().replace(/-/g, ''),
      sub: who.sub,
      client_id: who.clientId,
      ...(who.userName === undefined ? {} : { user_name: who.userName }),
      scope: who.scope,
      iat,
      exp: iat + this.tokenSeconds,
    };
    return {
      access_token: signJwt(claims, this.secret),
      token_type: 'bearer',
      expires_in: this.tokenSeconds,
      scope: who.scope.join(' '),
      jti: claims.jti,
    };
  }
}
