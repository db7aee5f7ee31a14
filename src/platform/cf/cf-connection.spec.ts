import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors.js';
import { describeCfConnection, loginOf, parseCfConnection } from './cf-connection.js';

const SECRET = 'uaa-secret-77a1';

function refusal(input: unknown): string {
  try {
    parseCfConnection(input);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    expect(error.status).toBe(400);
    expect(error.message).not.toContain(SECRET);
    return error.message;
  }
  throw new Error('the connection was accepted');
}

describe('parseCfConnection', () => {
  it('takes a user (password grant) or a client (client credentials), with uaaUrl and skipSslValidation optional', () => {
    expect(parseCfConnection({ apiUrl: 'http://cf.test:8080', username: 'u', password: SECRET })).toEqual({
      apiUrl: 'http://cf.test:8080',
      username: 'u',
      password: SECRET,
    });
    expect(
      parseCfConnection({
        apiUrl: 'https://api.cf.test',
        uaaUrl: 'https://login.cf.test/',
        clientId: 'backtrack',
        clientSecret: SECRET,
        skipSslValidation: true,
      }),
    ).toEqual({
      apiUrl: 'https://api.cf.test',
      uaaUrl: 'https://login.cf.test',
      clientId: 'backtrack',
      clientSecret: SECRET,
      skipSslValidation: true,
    });
  });

  it('names the field that does not fit, never repeating the secret', () => {
    expect(refusal({ apiUrl: 'ftp://x', username: 'u', password: SECRET })).toContain('apiUrl');
    expect(refusal({ apiUrl: 'http://x', username: 'u' })).toContain('password: is required');
    expect(refusal({ apiUrl: 'http://x', clientId: 'c', clientSecret: SECRET, extra: 1 })).toContain('extra');
    expect(refusal({ apiUrl: 'http://x', username: 'u', password: SECRET, clientSecret: SECRET })).toContain(
      'not both',
    );
    expect(refusal({ apiUrl: 'http://x' })).toContain('credentials are missing');
    expect(refusal('http://x')).toContain('expected {apiUrl');
  });
});

describe('describeCfConnection and loginOf', () => {
  it('shows where it points and who logs in, never the password or secret', () => {
    const user = parseCfConnection({ apiUrl: 'http://cf.test', username: 'u', password: SECRET });
    const client = parseCfConnection({ apiUrl: 'http://cf.test', clientId: 'c', clientSecret: SECRET });
    expect(describeCfConnection(user)).toEqual({ type: 'cf', apiUrl: 'http://cf.test', uaaUrl: null, username: 'u' });
    expect(JSON.stringify(describeCfConnection(client))).not.toContain(SECRET);
    expect(loginOf(user)).toEqual({ grant: 'password', username: 'u', password: SECRET });
    expect(loginOf(client)).toEqual({ grant: 'client_credentials', clientId: 'c', clientSecret: SECRET });
  });
});
