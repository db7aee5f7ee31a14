import { describe, expect, it } from '@jest/globals';
import { parseGrant, signJwt, Uaa, UaaError, verifyJwt, type TokenClaims } from './uaa.js';

const CF_BASIC = `Basic ${Buffer.from('cf:').toString('base64')}`;
const form = (text: string) => new URLSearchParams(text);

function refusal(call: () => unknown): UaaError {
  try {
    call();
  } catch (error) {
    if (error instanceof UaaError) return error;
    throw error;
  }
  throw new Error('the request was accepted');
}

describe('parseGrant', () => {
  it('reads a password grant with the cf client from HTTP Basic', () => {
    expect(parseGrant(form('grant_type=password&username=u&password=p'), CF_BASIC)).toEqual({
      kind: 'password',
      clientId: 'cf',
      clientSecret: '',
      username: 'u',
      password: 'p',
    });
  });

  it('reads client credentials from the body, the way the cf CLI sends them', () => {
    expect(parseGrant(form('grant_type=client_credentials&client_id=ci&client_secret=s'), undefined)).toEqual({
      kind: 'client_credentials',
      clientId: 'ci',
      clientSecret: 's',
    });
  });

  it('names the missing field', () => {
    const error = refusal(() => parseGrant(form('grant_type=password&username=u'), CF_BASIC));
    expect(error.body()).toEqual({
      error: 'invalid_request',
      error_description: 'Missing password: the form field password is required',
    });
  });

  it('refuses an unknown grant type with unsupported_grant_type', () => {
    expect(refusal(() => parseGrant(form('grant_type=implicit'), CF_BASIC)).error).toBe('unsupported_grant_type');
  });
});

describe('signJwt / verifyJwt', () => {
  const claims: TokenClaims = { jti: 'j', sub: 's', client_id: 'cf', scope: [], iat: 100, exp: 200 };

  it('round-trips the claims before exp and says expired from exp on', () => {
    const token = signJwt(claims, 'k');
    expect(verifyJwt(token, 'k', 199)).toEqual(claims);
    expect(verifyJwt(token, 'k', 200)).toBe('expired');
  });

  it('refuses a token signed with another key or tampered with', () => {
    const token = signJwt(claims, 'k');
    expect(verifyJwt(token, 'other', 150)).toBe('invalid');
    const [head, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: 999 })).toString('base64url');
    expect(verifyJwt(`${head}.${forged}.${signature}`, 'k', 150)).toBe('invalid');
    expect(verifyJwt('not-a-jwt', 'k', 150)).toBe('invalid');
  });
});

describe('Uaa', () => {
  let now = 1000;
  const uaa = new Uaa([{ username: 'u', password: 'p' }], [{ id: 'ci', secret: 's' }], 'key', 600, () => now);

  it('grants a password token with a refresh token that grants again', () => {
    const first = uaa.grant(form('grant_type=password&username=u&password=p'), CF_BASIC);
    expect(first).toMatchObject({ token_type: 'bearer', expires_in: 600 });
    expect(uaa.verify(first.access_token as string)).toMatchObject({ user_name: 'u', exp: 1600 });
    const again = uaa.grant(form(`grant_type=refresh_token&refresh_token=${first.refresh_token as string}`), CF_BASIC);
    expect(again.access_token).not.toBe(first.access_token);
  });

  it('refuses a wrong password and a wrong client secret with 401', () => {
    expect(refusal(() => uaa.grant(form('grant_type=password&username=u&password=x'), CF_BASIC)).status).toBe(401);
    const body = form('grant_type=client_credentials&client_id=ci&client_secret=x');
    expect(refusal(() => uaa.grant(body, undefined)).body().error).toBe('unauthorized');
  });

  it('lets a client-credentials token expire on the clock', () => {
    now = 1000;
    const answer = uaa.grant(form('grant_type=client_credentials&client_id=ci&client_secret=s'), undefined);
    expect(answer.refresh_token).toBeUndefined();
    now = 1599;
    expect(uaa.verify(answer.access_token as string)).toMatchObject({ client_id: 'ci' });
    now = 1600;
    expect(uaa.verify(answer.access_token as string)).toBe('expired');
  });
});
