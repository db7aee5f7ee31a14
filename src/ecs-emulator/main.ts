// Standalone ECS emulator: node dist/src/ecs-emulator/main.js --port N [--host H] [--access-key-id K]…
//   [--cluster C]… [--region R] [--task-start-seconds S]. ECS_EMULATOR_ACCESS_KEY_ID and ECS_EMULATOR_ADMIN_KEY set an
//   accepted key id and the admin key.
import { parseArgs } from 'node:util';
import { closeOnSignals } from '../common/http-io.js';
import { startEcsEmulator } from './ecs-emulator.server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'access-key-id': { type: 'string', multiple: true },
    cluster: { type: 'string', multiple: true },
    region: { type: 'string' },
    'task-start-seconds': { type: 'string' },
  },
});

const envKey = process.env.ECS_EMULATOR_ACCESS_KEY_ID;
const emulator = await startEcsEmulator({
  port: Number(values.port),
  host: values.host,
  accessKeyIds: [...(values['access-key-id'] ?? []), ...(envKey ? [envKey] : [])],
  adminKey: process.env.ECS_EMULATOR_ADMIN_KEY,
  clusters: values.cluster,
  region: values.region,
  taskStartSeconds: values['task-start-seconds'] === undefined ? undefined : Number(values['task-start-seconds']),
});

console.log(
  [
    `Amazon ECS emulator at ${emulator.url} (plain HTTP, JSON 1.1, region ${emulator.region})`,
    `  access key id  ${emulator.accessKeyId} (any secret key: signatures are not verified)`,
    `  admin key      ${emulator.adminKey} (header x-emulator-admin, routes under /_emulator)`,
    '',
    'AWS CLI / SDK:',
    `  export AWS_ENDPOINT_URL_ECS=${emulator.url} AWS_REGION=${emulator.region}`,
    `  export AWS_ACCESS_KEY_ID=${emulator.accessKeyId} AWS_SECRET_ACCESS_KEY=anything`,
    '  aws ecs list-task-definitions',
  ].join('\n'),
);

closeOnSignals('emulator', () => emulator.close());
