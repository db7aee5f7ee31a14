// Standalone emulator: node dist/src/emulator/main.js --port N [--data-dir D] [--latency MS] [--host H]
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator.server.js';
import { closeOnSignals } from '../common/http-io.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
    latency: { type: 'string' },
  },
});

const emulator = await startEmulator({
  port: Number(values.port),
  host: values.host,
  dataDir: values['data-dir'],
  latencyMs: values.latency === undefined ? undefined : Number(values.latency),
  accessToken: process.env.EMULATOR_ACCESS_TOKEN,
  username: process.env.EMULATOR_USERNAME,
  password: process.env.EMULATOR_PASSWORD,
  adminKey: process.env.EMULATOR_ADMIN_KEY,
  logger: {
    info: (message) => console.log(message),
    error: (message, error) => console.error(message, error ?? ''),
  },
});

const { defaultOrg } = emulator;
console.log(
  [
    `Salesforce emulator at ${emulator.url}`,
    `  org id        ${defaultOrg.id}`,
    `  username      ${defaultOrg.username}`,
    `  password      ${defaultOrg.password}`,
    `  access token  ${defaultOrg.accessToken}`,
    `  admin key     ${emulator.adminKey} (header x-emulator-admin)`,
    '',
    'Salesforce CLI:',
    `  SF_ACCESS_TOKEN='${defaultOrg.accessToken}' sf org login access-token --instance-url ${emulator.url} --no-prompt --alias emulator`,
  ].join('\n'),
);

closeOnSignals('emulator', () => emulator.close());
