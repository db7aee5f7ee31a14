import {
  describeAwsConnection,
  parseAwsConnection,
  type AwsConnection,
  type AwsConnectionView,
} from '../aws/aws-connection.js';

/**
 * An `asg` infrastructure's connection: the AWS connection the `ecs` kind shares (src/platform/aws/aws-connection.ts):
 * `{region, accessKeyId, secretAccessKey, sessionToken?, endpoint?}`. A 400 names the field and never repeats a secret.
 */
export function parseAsgConnection(input: unknown): AwsConnection {
  return parseAwsConnection(input);
}

/** What the API shows of it: `{type: 'aws', region, accessKeyId, endpoint}` (never the secret key or the token). */
export function describeAsgConnection(connection: AwsConnection): AwsConnectionView {
  return describeAwsConnection(connection);
}
