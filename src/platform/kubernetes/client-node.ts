import { LazyModule } from '../lazy-module.js';

/**
 * @kubernetes/client-node, imported when a kubeconfig is first read or a cluster connection opened (lazy-module.ts):
 * its API clients, auth plugins and HTTP agents cost ~60 MB of heap that a service without a cluster never needs.
 */
export const clientNode = new LazyModule('@kubernetes/client-node', () => import('@kubernetes/client-node'));

/**
 * Manifests are parsed while a pipeline is checked (synchronously), so the YAML loader is imported up front, from its
 * own file (~20 MB with the model classes it deserializes to, not the whole package). The package has no `exports`
 * map, so the path is public; it is the function the package's index re-exports.
 */
export { loadAllYaml } from '@kubernetes/client-node/dist/yaml.js';
