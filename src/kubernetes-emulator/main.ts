// Standalone Kubernetes API emulator: node dist/src/kubernetes-emulator/main.js --port N [--host H] [--token T]…
//   [--pod-ready-seconds S]. KUBERNETES_EMULATOR_TOKEN and KUBERNETES_EMULATOR_ADMIN_KEY set the token and admin key.
import { parseArgs } from 'node:util';
import { startKubernetesEmulator } from './kubernetes-emulator.server.js';
import { closeOnSignals } from '../common/http-io.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    token: { type: 'string', multiple: true },
    'pod-ready-seconds': { type: 'string' },
  },
});

const envToken = process.env.KUBERNETES_EMULATOR_TOKEN;
const emulator = await startKubernetesEmulator({
  port: Number(values.port),
  host: values.host,
  tokens: [...(values.token ?? []), ...(envToken ? [envToken] : [])],
  adminKey: process.env.KUBERNETES_EMULATOR_ADMIN_KEY,
  podReadySeconds: values['pod-ready-seconds'] === undefined ? undefined : Number(values['pod-ready-seconds']),
});

console.log(
  [
    `Kubernetes API emulator at ${emulator.url} (plain HTTP, no TLS)`,
    `  bearer token  ${emulator.token}`,
    `  admin key     ${emulator.adminKey} (header x-emulator-admin, routes under /_emulator)`,
    '',
    'kubectl:',
    `  kubectl config set-cluster emulator --server=${emulator.url}`,
    `  kubectl config set-credentials emulator --token=${emulator.token}`,
    '  kubectl config set-context emulator --cluster=emulator --user=emulator --namespace=default',
    '  kubectl config use-context emulator',
  ].join('\n'),
);

closeOnSignals('emulator', () => emulator.close());
