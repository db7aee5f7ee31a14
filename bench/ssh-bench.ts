/**
 * SSH rows of `npm run bench`: the rollback of a release on 2 real Debian sshd hosts by switching `current` back to
 * the retained folder, against the same rollback when that folder is gone and the previous 50 MB package is sent and
 * extracted again (Harness's redeploy forward). Both through the provider with its real SSH client; time and package
 * bytes sent. Runs alone with `node dist/bench/ssh-bench.js`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { sha256 } from '../src/common/hash.js';
import type { StageRelease } from '../src/platform/provider.js';
import type { PackageBytes } from '../src/platform/packages/package-source.js';
import { SshProvider } from '../src/platform/ssh/ssh.provider.js';
import { parseSshSpec } from '../src/platform/ssh/ssh-spec.js';
import { tarGz, HostView } from '../test/helpers/ssh-releases.js';
import { HOSTS_MOUNT, sshConnectionTo, startSshd } from '../test/helpers/sshd.js';
import { stageContext } from '../test/helpers/stage-context.js';
import { type Row, SCALE } from './bench-client.js';

const INSTALL = `${HOSTS_MOUNT}/bench`;

export async function benchSshRollback(row: Row): Promise<void> {
  const first = await startSshd();
  const hosts = [first, await startSshd({ userKey: first.privateKey })];
  try {
    const megabytes = Math.max(1, Math.round(50 * SCALE));
    const packages = new Map<string, PackageBytes>();
    for (const version of ['1.0.0', '1.0.1']) {
      // random bytes: gzip cannot shrink them, so the package is as big as it says
      const content = tarGz({
        'app.bin': { content: crypto.randomBytes(megabytes * 1024 * 1024), mode: 0o644 },
        VERSION: version,
      });
      packages.set(version, { content, sha256: sha256(content), format: 'tar.gz' });
    }
    const provider = new SshProvider({
      retainReleases: 2,
      packages: { bytes: (_name, version) => Promise.resolve(packages.get(version)!) },
    });
    const connection = sshConnectionTo(hosts);
    const spec = parseSshSpec({ package: 'app', installDir: INSTALL, verify: { run: 'test -s app.bin' } });
    const release = (version: string): StageRelease => ({
      id: version,
      version,
      mode: 'deploy',
      packages: { app: { version, sha256: packages.get(version)!.sha256, packageVersionId: version } },
      environment: { currentRelease: null, previousRelease: null, previousSuccessfulDeploymentId: null },
    });
    const context = (r: StageRelease | null) =>
      stageContext({
        target: { kind: 'ssh', connection, environment: 'bench' },
        release: r,
        jobId: crypto.randomUUID(),
      });
    const deploy = async (version: string) => {
      const ctx = context(release(version));
      const data = await provider.capture(ctx, spec);
      return { spec, data, outputs: await provider.deploy(ctx, spec, data) };
    };
    const size = packages.get('1.0.0')!.content.length;

    await deploy('1.0.0');
    const latest = await deploy('1.0.1');
    let started = performance.now();
    const switched = await provider.rollback(context(null), latest);
    const switchMs = performance.now() - started;
    const switchBytes = switched.hosts.reduce((sum, h) => sum + h.bytesSent, 0);

    // the same rollback once retention has removed the previous folder on both hosts
    const again = await deploy('1.0.1');
    for (const s of hosts)
      fs.rmSync(new HostView(s.root, HOSTS_MOUNT).file(`${INSTALL}/releases/1.0.0`), { recursive: true, force: true });
    started = performance.now();
    const redeployed = await provider.rollback(context(null), again);
    const redeployMs = performance.now() - started;
    const redeployBytes = redeployed.hosts.reduce((sum, h) => sum + h.bytesSent, 0);
    if (
      !switched.hosts.every((h) => h.how === 'switched back') ||
      !redeployed.hosts.every((h) => h.how === 'redeployed')
    )
      throw new Error(`unexpected rollback paths: ${JSON.stringify([switched.hosts, redeployed.hosts])}`);

    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
    row(
      `SSH rollback of a ${mb(size)} package on 2 hosts: switch back`,
      `${(switchMs / 1000).toFixed(2)} s, ${mb(switchBytes)} sent`,
      `redeploy forward ${(redeployMs / 1000).toFixed(2)} s, ${mb(redeployBytes)} sent`,
      `${(redeployMs / switchMs).toFixed(1)}× faster, ${mb(redeployBytes - switchBytes)} less`,
    );
  } finally {
    for (const s of hosts) await s.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchSshRollback((measure, value, reference, verdict) =>
    console.log(`${measure}: ${value} (${reference}) ${verdict}`),
  );
}
