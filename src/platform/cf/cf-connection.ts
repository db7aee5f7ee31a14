import { z } from 'zod';
import { BadRequestError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import type { Login } from './cf-client.js';

/**
 * How Backtrack reaches a Cloud Foundry foundation (sealed; never returned or logged): the API endpoint, the UAA
 * endpoint when it is not the root document's `login` link, and either a user (password grant through client `cf`,
 * as the cf CLI logs in) or a UAA client (client credentials).
 */
export type CfConnection = {
  apiUrl: string;
  uaaUrl?: string;
  skipSslValidation?: boolean;
} & ({ username: string; password: string } | { clientId: string; clientSecret: string });

/** What the API shows of a CF connection: where it points and who logs in, never a password or secret. */
export type CfConnectionView =
  | { type: 'cf'; apiUrl: string; uaaUrl: string | null; username: string }
  | { type: 'cf'; apiUrl: string; uaaUrl: string | null; clientId: string };

const httpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\/[^/\s]+/i.test(value) && URL.canParse(value), 'must be an http:// or https:// URL')
  .transform((value) => value.replace(/\/+$/, ''));

const Base = {
  apiUrl: httpUrl,
  uaaUrl: httpUrl.optional(),
  skipSslValidation: z.boolean().optional(),
};
const UserConnection = z.strictObject({
  ...Base,
  username: z.string().trim().min(1, 'is required').max(255),
  password: z.string().min(1, 'is required'),
});
const ClientConnection = z.strictObject({
  ...Base,
  clientId: z.string().trim().min(1, 'is required').max(255),
  clientSecret: z.string().min(1, 'is required'),
});

const SHAPE =
  'expected {apiUrl, uaaUrl?, username, password, skipSslValidation?} or {apiUrl, uaaUrl?, clientId, clientSecret, skipSslValidation?}';

/** A CF connection from a request: a 400 naming the field when it does not fit; the message never repeats a secret. */
export function parseCfConnection(input: unknown): CfConnection {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new BadRequestError(`Invalid connection: ${SHAPE}.`);
  const hasUser = 'username' in input || 'password' in input;
  const hasClient = 'clientId' in input || 'clientSecret' in input;
  if (hasUser && hasClient)
    throw new BadRequestError(
      'Invalid connection: give username and password, or clientId and clientSecret, not both.',
    );
  if (!hasUser && !hasClient) throw new BadRequestError(`Invalid connection: credentials are missing (${SHAPE}).`);
  return hasUser ? parseInput(UserConnection, input, 'connection') : parseInput(ClientConnection, input, 'connection');
}

export function describeCfConnection(connection: CfConnection): CfConnectionView {
  const base = { type: 'cf' as const, apiUrl: connection.apiUrl, uaaUrl: connection.uaaUrl ?? null };
  return 'username' in connection
    ? { ...base, username: connection.username }
    : { ...base, clientId: connection.clientId };
}

/** The UAA grant a connection logs in with. */
export function loginOf(connection: CfConnection): Login {
  return 'username' in connection
    ? { grant: 'password', username: connection.username, password: connection.password }
    : { grant: 'client_credentials', clientId: connection.clientId, clientSecret: connection.clientSecret };
}
