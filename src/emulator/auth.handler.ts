// Logins and identity: SOAP partner login (/services/Soap/u), the OAuth token endpoint,
// userinfo / identity URLs.
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './emulator-context.js';
import { sendJson, sendXml } from './http-io.js';
import type { Org } from './org-registry.js';
import { bearerOrg } from './rest.handler.js';
import { PARTNER_NS, parseSoapCall, soapFault, SoapFault, soapResponse, soapString } from './soap-envelope.js';

const SIGNING_KEY = randomBytes(32);

function identityUrl(ctx: EmulatorContext, org: Org): string {
  return `${ctx.instanceUrl()}/id/${org.id}/${org.user.id}`;
}

function findLogin(ctx: EmulatorContext, username: string | undefined, password: string | undefined): Org | undefined {
  const org = username === undefined ? undefined : ctx.orgs.byUsername(username);
  return org && password === org.user.password ? org : undefined;
}

function userInfoXml(ctx: EmulatorContext, org: Org) {
  return {
    currencySymbol: '$',
    orgAttachmentFileSizeLimit: 5242880,
    orgDefaultCurrencyIsoCode: 'USD',
    orgHasPersonAccounts: false,
    organizationId: org.id,
    organizationMultiCurrency: false,
    organizationName: org.name,
    profileId: '00e000000000001AAA',
    sessionSecondsValid: 7200,
    userEmail: org.user.username,
    userFullName: org.user.displayName,
    userId: org.user.id,
    userLanguage: 'en_US',
    userLocale: 'en_US',
    userName: org.user.username,
    userTimeZone: 'America/Los_Angeles',
    userType: 'Standard',
    userUiSkin: 'Theme3',
  };
}

/** POST /services/Soap/u/{version}: login, logout, getUserInfo. */
export function handlePartnerSoap(ctx: EmulatorContext, res: ServerResponse, body: Buffer, version: string): void {
  try {
    const call = parseSoapCall(body);
    if (call.operation === 'login') {
      const org = findLogin(ctx, soapString(call.args.username), soapString(call.args.password));
      if (!org) throw new SoapFault('INVALID_LOGIN', 'Invalid username, password, security token; or user locked out.');
      const sessionId = ctx.sessions.issue(org.id);
      ctx.changed();
      const base = ctx.instanceUrl();
      return sendXml(
        res,
        200,
        soapResponse(
          'login',
          {
            metadataServerUrl: `${base}/services/Soap/m/${version}/${org.id}`,
            passwordExpired: false,
            sandbox: true,
            serverUrl: `${base}/services/Soap/u/${version}/${org.id}`,
            sessionId,
            userId: org.user.id,
            userInfo: userInfoXml(ctx, org),
          },
          PARTNER_NS,
        ),
      );
    }
    const org = ctx.orgs.get(ctx.sessions.orgOf(call.sessionId) ?? '');
    if (!org) throw new SoapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
    if (call.operation === 'logout') {
      ctx.sessions.expire(call.sessionId as string);
      ctx.changed();
      return sendXml(res, 200, soapResponse('logout', undefined, PARTNER_NS));
    }
    if (call.operation === 'getUserInfo')
      return sendXml(res, 200, soapResponse('getUserInfo', userInfoXml(ctx, org), PARTNER_NS));
    throw new SoapFault('INVALID_OPERATION', `No operation available for request {${PARTNER_NS}}${call.operation}`);
  } catch (error) {
    if (error instanceof SoapFault) return sendXml(res, 500, soapFault(error));
    throw error;
  }
}

function oauthError(res: ServerResponse, error: string, description: string): void {
  sendJson(res, 400, { error, error_description: description });
}

/** POST /services/oauth2/token: password and refresh_token grants. */
export function handleOAuthToken(ctx: EmulatorContext, res: ServerResponse, body: Buffer): void {
  const params = new URLSearchParams(body.toString('utf8'));
  const grantType = params.get('grant_type');
  if (!params.get('client_id')) return oauthError(res, 'invalid_client_id', 'client identifier invalid');
  let org: Org | undefined;
  let refreshToken: string | undefined;
  if (grantType === 'password') {
    org = findLogin(ctx, params.get('username') ?? undefined, params.get('password') ?? undefined);
    if (!org) return oauthError(res, 'invalid_grant', 'authentication failure');
    refreshToken = ctx.sessions.issueRefreshToken(org.id);
  } else if (grantType === 'refresh_token') {
    org = ctx.orgs.get(ctx.sessions.orgOfRefreshToken(params.get('refresh_token') ?? '') ?? '');
    if (!org) return oauthError(res, 'invalid_grant', 'expired access/refresh token');
  } else {
    return oauthError(res, 'unsupported_grant_type', 'grant type not supported');
  }
  const accessToken = ctx.sessions.issue(org.id);
  ctx.changed();
  const id = identityUrl(ctx, org);
  const issuedAt = String(Date.now());
  sendJson(res, 200, {
    access_token: accessToken,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    signature: createHmac('sha256', SIGNING_KEY)
      .update(id + issuedAt)
      .digest('base64'),
    scope: 'api refresh_token',
    instance_url: ctx.instanceUrl(),
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  });
}

/** GET /services/oauth2/userinfo and GET /id/{orgId}/{userId}. */
export function handleUserInfo(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): void {
  const org = bearerOrg(ctx, req);
  if (!org) return sendJson(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  sendJson(res, 200, {
    sub: identityUrl(ctx, org),
    id: identityUrl(ctx, org),
    user_id: org.user.id,
    organization_id: org.id,
    preferred_username: org.user.username,
    username: org.user.username,
    name: org.user.displayName,
    display_name: org.user.displayName,
    email: org.user.username,
    active: true,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    urls: {
      metadata: `${ctx.instanceUrl()}/services/Soap/m/{version}/${org.id}`,
      rest: `${ctx.instanceUrl()}/services/data/v{version}/`,
    },
  });
}
