// Standalone Auto Scaling + EC2 launch templates emulator: node dist/src/aws-query-emulator/main.js --port N
//   [--host H] [--region R] [--instance-ready-seconds S] [--instance-terminate-seconds S]. AWS_QUERY_EMULATOR_ACCESS_KEY_ID,
//   AWS_QUERY_EMULATOR_SECRET_ACCESS_KEY and AWS_QUERY_EMULATOR_ADMIN_KEY set the key pair and admin key.
import { parseArgs } from 'node:util';
import { closeOnSignals } from '../common/http-io.js';
import { startAwsQueryEmulator } from './aws-query-emulator.server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    region: { type: 'string' },
    'instance-ready-seconds': { type: 'string' },
    'instance-terminate-seconds': { type: 'string' },
  },
});

const emulator = await startAwsQueryEmulator({
  port: Number(values.port),
  host: values.host,
  region: values.region,
  accessKeyId: process.env.AWS_QUERY_EMULATOR_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_QUERY_EMULATOR_SECRET_ACCESS_KEY,
  adminKey: process.env.AWS_QUERY_EMULATOR_ADMIN_KEY,
  instanceReadySeconds:
    values['instance-ready-seconds'] === undefined ? undefined : Number(values['instance-ready-seconds']),
  instanceTerminateSeconds:
    values['instance-terminate-seconds'] === undefined ? undefined : Number(values['instance-terminate-seconds']),
});

console.log(
  [
    `Auto Scaling + EC2 launch templates emulator at ${emulator.url} (plain HTTP, region ${emulator.region})`,
    `  access key id  ${emulator.credentials.accessKeyId}`,
    `  secret key     ${emulator.credentials.secretAccessKey} (an emulator-only key; set AWS_QUERY_EMULATOR_SECRET_ACCESS_KEY to choose it)`,
    `  admin key      ${emulator.adminKey} (header x-emulator-admin, routes under /_emulator)`,
    '',
    `SDK clients (@aws-sdk/client-auto-scaling, @aws-sdk/client-ec2): endpoint ${emulator.url}, those credentials`,
  ].join('\n'),
);

closeOnSignals('emulator', () => emulator.close());
