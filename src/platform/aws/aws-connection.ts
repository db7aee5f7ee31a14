import { z } from 'zod';
import { parseInput } from '../../common/validation.js';

/**
 * How Backtrack reaches AWS for the `ecs` and `asg` kinds: a region and an access key (sealed; the secret key and the
 * session token are never returned or logged), and for an emulator or a VPC endpoint, the endpoint URL.
 */
export interface AwsConnection {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Overrides the service's public endpoint (an emulator, a VPC endpoint); absent: the region's own. */
  endpoint?: string;
}

/** What the API shows of an AWS connection: region, key id and endpoint, never the secret key or token. */
export interface AwsConnectionView {
  type: 'aws';
  region: string;
  accessKeyId: string;
  endpoint: string | null;
}

const AwsConnectionInput = z.strictObject({
  region: z
    .string()
    .trim()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region such as "eu-west-1"'),
  accessKeyId: z
    .string()
    .trim()
    .regex(/^[A-Z0-9]{16,128}$/, 'must be an access key id (upper-case letters and digits)'),
  secretAccessKey: z.string().min(1).max(256),
  sessionToken: z.string().min(1).max(4096).optional(),
  endpoint: z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^/\s]+/i.test(value) && URL.canParse(value), 'must be an http:// or https:// URL')
    .optional(),
});

/** An AWS connection from a request: a 400 naming the field when it does not fit (never repeating the secret). */
export function parseAwsConnection(input: unknown): AwsConnection {
  return parseInput(AwsConnectionInput, input, 'connection');
}

export function describeAwsConnection(connection: AwsConnection): AwsConnectionView {
  return {
    type: 'aws',
    region: connection.region,
    accessKeyId: connection.accessKeyId,
    endpoint: connection.endpoint ?? null,
  };
}

/** The options every AWS SDK v3 client takes for this connection (region, credentials, endpoint override). */
export function awsClientOptions(connection: AwsConnection): {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  endpoint?: string;
} {
  return {
    region: connection.region,
    credentials: {
      accessKeyId: connection.accessKeyId,
      secretAccessKey: connection.secretAccessKey,
      ...(connection.sessionToken ? { sessionToken: connection.sessionToken } : {}),
    },
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
  };
}
