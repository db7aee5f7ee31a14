import {
  describeAwsConnection,
  parseAwsConnection,
  type AwsConnection,
  type AwsConnectionView,
} from '../aws/aws-connection.js';

/**
 * An `ecs` infrastructure's connection is the shared AWS one (src/platform/aws/aws-connection.ts): `{region,
 * accessKeyId, secretAccessKey, sessionToken?, endpoint?}`; the API shows `{type: 'aws', region, accessKeyId,
 * endpoint}`, never the secret key or the session token.
 */
export type EcsConnection = AwsConnection;
export type EcsConnectionView = AwsConnectionView;

export function parseEcsConnection(input: unknown): EcsConnection {
  return parseAwsConnection(input);
}

export function describeEcsConnection(connection: EcsConnection): EcsConnectionView {
  return describeAwsConnection(connection);
}
