import { describe, it, expect } from '@jest/globals';
import { ed25519KeyPair } from '../../../test/helpers/ssh-keys.js';
import { AppError } from '../../common/errors.js';
import {
  checkKubeconfig,
  describeConnection,
  describeKubernetesConnection,
  parseConnection,
  parseKubernetesConnection,
} from './infrastructure-connection.js';

const SECRET = 'sekret-token-4f9a';

function kubeconfig({ current = 'staging', contexts = ['staging', 'prod'] } = {}): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${current}`,
    'clusters:',
    '- name: c1',
    '  cluster: {server: "https://k8s.example.test:6443"}',
    'users:',
    '- name: u1',
    `  user: {token: "${SECRET}"}`,
    'contexts:',
    ...contexts.map((name) => `- name: ${name}\n  context: {cluster: c1, user: u1}`),
  ].join('\n');
}

/** The 400 a bad connection gets: its message, which must never repeat the secret. */
async function refusal(input: unknown): Promise<string> {
  try {
    await parseKubernetesConnection(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    return (error as AppError).message;
  }
  throw new Error('the connection was accepted');
}

describe('checkKubeconfig', () => {
  it('uses the current-context when no context is named', async () => {
    expect(await checkKubeconfig(kubeconfig(), undefined)).toEqual({ ok: true, context: 'staging' });
  });

  it('uses the context named, when the kubeconfig has it', async () => {
    expect(await checkKubeconfig(kubeconfig(), 'prod')).toEqual({ ok: true, context: 'prod' });
  });

  it('reads a kubeconfig written as JSON', async () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      'current-context': 'x',
      clusters: [{ name: 'c', cluster: { server: 'https://a.test' } }],
      users: [{ name: 'u', user: { token: SECRET } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    });
    expect(await checkKubeconfig(json, undefined)).toEqual({ ok: true, context: 'x' });
  });

  it('refuses a context the kubeconfig lacks, naming the ones it has', async () => {
    expect(await checkKubeconfig(kubeconfig(), 'nope')).toEqual({
      ok: false,
      problem: 'the kubeconfig has no context "nope" (it has staging, prod)',
    });
  });

  it('refuses text that is not YAML, without quoting it', async () => {
    const result = await checkKubeconfig(`clusters: [\n  token: "${SECRET}`, undefined);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toMatch(/cannot be read as YAML or JSON/);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('refuses a kubeconfig without contexts', async () => {
    expect(await checkKubeconfig('apiVersion: v1\nkind: Config\n', undefined)).toEqual({
      ok: false,
      problem: 'the kubeconfig holds no context',
    });
  });

  it('refuses a context whose cluster is missing', async () => {
    const broken = kubeconfig().replace('context: {cluster: c1, user: u1}', 'context: {cluster: gone, user: u1}');
    expect(await checkKubeconfig(broken, 'staging')).toEqual({
      ok: false,
      problem: 'context "staging" names cluster "gone", which the kubeconfig lacks',
    });
  });
});

describe('parseKubernetesConnection', () => {
  it('accepts a kubeconfig with a context, and a server with a token', async () => {
    expect(await parseKubernetesConnection({ kubeconfig: kubeconfig(), context: 'prod' })).toEqual({
      kubeconfig: kubeconfig(),
      context: 'prod',
    });
    const token = { server: 'https://k8s.test:6443', token: SECRET, insecureSkipTlsVerify: true };
    expect(await parseKubernetesConnection(token)).toEqual(token);
  });

  it('refuses a server that is not an http(s) URL, naming the field', async () => {
    expect(await refusal({ server: 'ftp://k8s.test', token: SECRET })).toMatch(
      /^Invalid connection: server: must be an http:\/\/ or https:\/\/ URL\.$/,
    );
  });

  it('refuses a token connection without its token, and unknown fields', async () => {
    expect(await refusal({ server: 'https://k8s.test' })).toMatch(/token: is required/);
    expect(await refusal({ server: 'https://k8s.test', token: SECRET, password: 'x' })).toMatch(
      /unknown field\(s\) password/,
    );
  });

  it('refuses something that is not an object, saying which shapes it takes', async () => {
    expect(await refusal('kubeconfig')).toMatch(/expected \{kubeconfig, context\?\} or \{server, token/);
    expect(await refusal(null)).toMatch(/expected/);
  });

  it('refuses a bad kubeconfig with a sentence that does not repeat it', async () => {
    const message = await refusal({ kubeconfig: `{"clusters": [${SECRET}` });
    expect(message).toMatch(/^Invalid connection: the kubeconfig cannot be read as YAML or JSON/);
    expect(message).not.toContain(SECRET);
    expect(await refusal({ kubeconfig: kubeconfig(), context: 'dev' })).toMatch(/no context "dev"/);
  });
});

describe('describeKubernetesConnection', () => {
  it('shows a kubeconfig as the context it uses, and a token connection as its server, never a secret', async () => {
    const kube = await describeKubernetesConnection({ kubeconfig: kubeconfig() });
    expect(kube).toEqual({ type: 'kubeconfig', context: 'staging' });
    const token = await describeKubernetesConnection({
      server: 'https://k8s.test',
      token: SECRET,
      caCertificate: 'PEM',
    });
    expect(token).toEqual({ type: 'token', server: 'https://k8s.test' });
    expect(JSON.stringify([kube, token])).not.toContain(SECRET);
  });
});

describe('parseConnection and describeConnection', () => {
  const fingerprint = 'SHA256:UBdhWHDeO66nUmSJDBfJvIiE5TAxva2TCukAu3L3Si0';
  const privateKey = ed25519KeyPair().private;
  const ssh = { hosts: [{ host: 'web-1', username: 'deploy', hostKeyFingerprint: fingerprint }], privateKey };

  it('checks a connection against its kind: a kubeconfig is no SSH connection and hosts are no kubeconfig', async () => {
    expect(await parseConnection('kubernetes', { kubeconfig: kubeconfig() })).toEqual({
      kind: 'kubernetes',
      connection: { kubeconfig: kubeconfig() },
    });
    expect(await parseConnection('ssh', ssh)).toEqual({
      kind: 'ssh',
      connection: { ...ssh, hosts: [{ ...ssh.hosts[0], port: 22 }] },
    });
    await expect(parseConnection('ssh', { kubeconfig: kubeconfig() })).rejects.toThrow(/hosts: is required/);
    await expect(parseConnection('kubernetes', ssh)).rejects.toThrow(/server: is required/);
  });

  it('describes each kind without its secret', async () => {
    expect(await describeConnection('kubernetes', { server: 'https://k8s.test', token: SECRET })).toEqual({
      type: 'token',
      server: 'https://k8s.test',
    });
    const view = await describeConnection('ssh', (await parseConnection('ssh', ssh)).connection);
    expect(view).toEqual({
      type: 'ssh',
      hosts: [{ host: 'web-1', port: 22, username: 'deploy', hostKeyFingerprint: fingerprint }],
    });
    expect(JSON.stringify(view)).not.toContain('PRIVATE KEY');
  });

  it('takes a helm connection exactly as a Kubernetes one, and describes it without its token', async () => {
    expect(await parseConnection('helm', { kubeconfig: kubeconfig(), context: 'prod' })).toEqual({
      kind: 'helm',
      connection: { kubeconfig: kubeconfig(), context: 'prod' },
    });
    expect(await parseConnection('helm', { server: 'http://127.0.0.1:6443', token: SECRET })).toEqual({
      kind: 'helm',
      connection: { server: 'http://127.0.0.1:6443', token: SECRET },
    });
    await expect(parseConnection('helm', ssh)).rejects.toThrow(/server: is required/);
    await expect(parseConnection('helm', { kubeconfig: kubeconfig(), context: 'nope' })).rejects.toThrow(
      /no context "nope"/,
    );
    const view = await describeConnection('helm', { server: 'https://k8s.test', token: SECRET });
    expect(view).toEqual({ type: 'token', server: 'https://k8s.test' });
    expect(await describeConnection('helm', { kubeconfig: kubeconfig() })).toEqual({
      type: 'kubeconfig',
      context: 'staging',
    });
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });
});

describe('an ecs or asg connection', () => {
  const aws = {
    region: 'eu-west-1',
    accessKeyId: 'AKIAEXAMPLEKEY123456',
    secretAccessKey: SECRET,
    sessionToken: `${SECRET}-session`,
    endpoint: 'http://127.0.0.1:4566',
  };

  it('is the shared AWS connection, checked field by field without repeating the secret', async () => {
    expect(await parseConnection('ecs', aws)).toEqual({ kind: 'ecs', connection: aws });
    const refused = async (input: unknown) => {
      try {
        await parseConnection('ecs', input);
      } catch (error) {
        expect((error as AppError).status).toBe(400);
        return (error as AppError).message;
      }
      throw new Error('accepted');
    };
    expect(await refused({ ...aws, region: 'Europe' })).toMatch(/region: must be an AWS region/);
    expect(await refused({ ...aws, endpoint: 'ftp://x' })).toMatch(/endpoint: must be an http/);
    expect(await refused({ ...aws, secretAccessKey: '' })).toMatch(/secretAccessKey/);
    expect(await refused({ ...aws, kubeconfig: 'x' })).toMatch(/unknown field\(s\) kubeconfig/);
    expect(await refused({ ...aws, accessKeyId: 'lower' })).not.toContain(SECRET);
  });

  it('is shown as region, key id and endpoint, never the secret key or the session token', async () => {
    const view = await describeConnection('ecs', aws);
    expect(view).toEqual({
      type: 'aws',
      region: 'eu-west-1',
      accessKeyId: 'AKIAEXAMPLEKEY123456',
      endpoint: aws.endpoint,
    });
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });

  it('checks and describes an asg connection (the shared AWS one) without its secret key', async () => {
    const aws = { region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE123456789', secretAccessKey: SECRET };
    expect(await parseConnection('asg', aws)).toEqual({ kind: 'asg', connection: aws });
    await expect(parseConnection('asg', { kubeconfig: 'x' })).rejects.toThrow(/region: is required/);
    const view = await describeConnection('asg', aws);
    expect(view).toEqual({ type: 'aws', region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE123456789', endpoint: null });
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });
});

describe('cf connections through parseConnection and describeConnection', () => {
  const cf = { apiUrl: 'https://api.sys.example.test/', username: 'deployer', password: SECRET };

  it('parses a cf connection for kind cf and describes it without the password', async () => {
    const parsed = await parseConnection('cf', cf);
    expect(parsed).toEqual({ kind: 'cf', connection: { ...cf, apiUrl: 'https://api.sys.example.test' } });
    const view = await describeConnection('cf', parsed.connection);
    expect(view).toEqual({ type: 'cf', apiUrl: 'https://api.sys.example.test', uaaUrl: null, username: 'deployer' });
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });

  it('refuses a kubeconfig as a cf connection, naming what it takes', async () => {
    await expect(parseConnection('cf', { kubeconfig: 'x' })).rejects.toThrow(/credentials are missing/);
  });
});
