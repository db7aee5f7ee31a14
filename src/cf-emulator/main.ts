// Standalone Cloud Foundry v3 emulator: node dist/src/cf-emulator/main.js --port N [--host H] [--app org/space/app]…
//   CF_EMULATOR_PASSWORD (user admin), CF_EMULATOR_CLIENT_SECRET (client backtrack) and CF_EMULATOR_ADMIN_KEY set the
//   credentials; generated when absent.
import { parseArgs } from 'node:util';
import { closeOnSignals } from '../common/http-io.js';
import { startCfEmulator } from './cf-emulator.server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    app: { type: 'string', multiple: true },
    'staging-seconds': { type: 'string' },
    'instance-seconds': { type: 'string' },
  },
});

const apps = (values.app ?? []).map((spec) => {
  const [org, space, app] = spec.split('/');
  if (!org || !space || !app) throw new Error(`--app ${spec}: give org/space/app`);
  return { org, space, app, instances: 2, started: false };
});
const seconds = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const password = process.env.CF_EMULATOR_PASSWORD;
const secret = process.env.CF_EMULATOR_CLIENT_SECRET;
const emulator = await startCfEmulator({
  port: Number(values.port),
  host: values.host,
  users: password ? [{ username: 'admin', password }] : undefined,
  clients: secret ? [{ id: 'backtrack', secret }] : undefined,
  adminKey: process.env.CF_EMULATOR_ADMIN_KEY,
  apps,
  stagingSeconds: seconds(values['staging-seconds']),
  instanceSeconds: seconds(values['instance-seconds']),
});

console.log(
  [
    `Cloud Foundry v3 emulator at ${emulator.url} (plain HTTP, no TLS; API, UAA and login on one port)`,
    `  user          ${emulator.users[0]!.username} / ${emulator.users[0]!.password} (password grant, client cf)`,
    `  client        ${emulator.clients[0]!.id} / ${emulator.clients[0]!.secret} (client_credentials)`,
    `  admin key     ${emulator.adminKey} (header x-emulator-admin, routes under /_emulator)`,
    ...apps.map((a) => `  app           ${a.org}/${a.space}/${a.app}`),
  ].join('\n'),
);

closeOnSignals('emulator', () => emulator.close());
