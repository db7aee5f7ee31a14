import type { KubeConfig } from '@kubernetes/client-node';
import { StageFailed } from '../provider.js';
import type { KubernetesConnection } from '../infrastructures/infrastructure-connection.js';
import { clientNode } from './client-node.js';

/**
 * A KubeConfig for an infrastructure's connection: its kubeconfig with the named context (or its current one), or a
 * server and bearer token. client-node refuses an http:// server unless TLS verification is skipped, so a plain-HTTP
 * server (the emulator, a local proxy) gets `skipTLSVerify`; an https:// one keeps verification unless the connection
 * asks otherwise. A PEM CA is passed as client-node's base64 `caData`. `clientNode.load()` must have been awaited.
 */
export function kubeConfigFor(connection: KubernetesConnection): KubeConfig {
  const config = new (clientNode.get().KubeConfig)();
  if ('kubeconfig' in connection) {
    config.loadFromString(connection.kubeconfig);
    if (connection.context) {
      if (!config.getContextObject(connection.context))
        throw new StageFailed(`The infrastructure's kubeconfig has no context "${connection.context}".`);
      config.setCurrentContext(connection.context);
    }
    return config;
  }
  const plainHttp = connection.server.toLowerCase().startsWith('http://');
  config.loadFromOptions({
    clusters: [
      {
        name: 'backtrack',
        server: connection.server.replace(/\/+$/, ''),
        skipTLSVerify: plainHttp || connection.insecureSkipTlsVerify === true,
        ...(connection.caCertificate ? { caData: caData(connection.caCertificate) } : {}),
      },
    ],
    users: [{ name: 'backtrack', token: connection.token }],
    contexts: [{ name: 'backtrack', cluster: 'backtrack', user: 'backtrack' }],
    currentContext: 'backtrack',
  });
  return config;
}

/** client-node wants the CA base64-encoded; a connection may hold the PEM text or that base64 already. */
export function caData(caCertificate: string): string {
  const text = caCertificate.trim();
  return text.includes('-----BEGIN') ? Buffer.from(text).toString('base64') : text;
}
