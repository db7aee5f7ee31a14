import { beforeAll, describe, expect, test } from '@jest/globals';
import { clientNode } from './client-node.js';
import { caData, kubeConfigFor } from './kube-config.js';

const KUBECONFIG = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [
    { name: 'a', cluster: { server: 'https://a.example:6443' } },
    { name: 'b', cluster: { server: 'https://b.example:6443' } },
  ],
  users: [{ name: 'u', user: { token: 't' } }],
  contexts: [
    { name: 'ctx-a', context: { cluster: 'a', user: 'u' } },
    { name: 'ctx-b', context: { cluster: 'b', user: 'u' } },
  ],
  'current-context': 'ctx-a',
});

describe('kubeConfigFor', () => {
  beforeAll(() => clientNode.load());

  test('a kubeconfig uses the context named by the connection, else its current one', () => {
    expect(kubeConfigFor({ kubeconfig: KUBECONFIG, context: 'ctx-b' }).getCurrentCluster()?.server).toBe(
      'https://b.example:6443',
    );
    expect(kubeConfigFor({ kubeconfig: KUBECONFIG }).getCurrentCluster()?.server).toBe('https://a.example:6443');
  });

  test('a context the kubeconfig lacks is a stage failure naming it', () => {
    expect(() => kubeConfigFor({ kubeconfig: KUBECONFIG, context: 'nope' })).toThrow('no context "nope"');
  });

  test('a plain-HTTP server skips TLS verification (client-node refuses http:// otherwise); https keeps it', () => {
    const http = kubeConfigFor({ server: 'http://127.0.0.1:8080/', token: 'secret' });
    expect(http.getCurrentCluster()).toMatchObject({ server: 'http://127.0.0.1:8080', skipTLSVerify: true });
    expect(http.getCurrentUser()?.token).toBe('secret');
    const https = kubeConfigFor({ server: 'https://k8s.example', token: 'secret' });
    expect(https.getCurrentCluster()?.skipTLSVerify).toBe(false);
    const insecure = kubeConfigFor({ server: 'https://k8s.example', token: 'secret', insecureSkipTlsVerify: true });
    expect(insecure.getCurrentCluster()?.skipTLSVerify).toBe(true);
  });

  test('a PEM CA is base64-encoded for client-node; base64 is kept as is', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    expect(Buffer.from(caData(pem), 'base64').toString()).toBe(pem);
    expect(caData('TUlJQg==')).toBe('TUlJQg==');
    const config = kubeConfigFor({ server: 'https://k8s.example', token: 't', caCertificate: pem });
    expect(config.getCurrentCluster()?.caData).toBe(caData(pem));
  });
});
