// The AWS SDK clients, @kubernetes/client-node and ssh2 (tens of MB of heap each; ssh2 about 20 MB of resident memory)
// are imported only when a provider of their kind opens a connection or checks a key: importing the application loads
// none of them, loading them does.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';

const dist = (file: string) => new URL(`../../src/${file}`, import.meta.url).href;

/** The package files a fresh node process resolved while importing the app module, then running `after`. */
async function packagesLoaded(after = ''): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ resolve(specifier, context, next) { const found = next(specifier, context); seen.add(found.url); return found; } });
    await import(${JSON.stringify(dist('app/app.module.js'))});
    ${after}
    console.log(JSON.stringify([...seen].filter((url) => url.includes('/node_modules/'))));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as string[]).map((url) => url.split('/node_modules/').at(-1)!);
}

const HEAVY = [
  '@aws-sdk/client-ecs/',
  '@aws-sdk/client-auto-scaling/',
  '@aws-sdk/client-ec2/',
  '@kubernetes/client-node/dist/index.js',
  '@kubernetes/client-node/dist/config.js',
  'ssh2/lib/index.js',
];
const heavyIn = (files: string[]) => HEAVY.filter((prefix) => files.some((file) => file.startsWith(prefix)));

describe('the SDKs of the ecs, asg, kubernetes, helm and ssh providers', () => {
  it('are not imported with the application', async () => {
    expect(heavyIn(await packagesLoaded())).toEqual([]);
  });

  it('are imported when a provider of their kind loads them', async () => {
    const loaded = await packagesLoaded(`
      const { ecsSdk } = await import(${JSON.stringify(dist('platform/aws/aws-sdk.js'))});
      const { loadAsgSdk } = await import(${JSON.stringify(dist('platform/asg/asg-client.js'))});
      const { clientNode } = await import(${JSON.stringify(dist('platform/kubernetes/client-node.js'))});
      const { ssh2Module } = await import(${JSON.stringify(dist('platform/ssh/ssh2-module.js'))});
      await Promise.all([ecsSdk.load(), loadAsgSdk(), clientNode.load(), ssh2Module.load()]);`);
    expect(heavyIn(loaded)).toEqual(HEAVY);
  });
});
