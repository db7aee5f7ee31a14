// The ssh provider's contracts against two real Debian sshd hosts, through its real SSH client: capture is
// read-only, deploy stages every host before any switches, a resumed call repeats nothing it recorded, rollback
// switches back or redeploys, drift sees a moved `current` or a changed file.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { sha256 } from '../../../src/common/hash.js';
import type { StageRelease } from '../../../src/platform/provider.js';
import type { PackageBytes } from '../../../src/platform/packages/package-source.js';
import { SshProvider } from '../../../src/platform/ssh/ssh.provider.js';
import { parseSshSpec } from '../../../src/platform/ssh/ssh-spec.js';
import { appPackage, HostView } from '../../helpers/ssh-releases.js';
import { HOSTS_MOUNT, sshConnectionTo, startSshd, type TestSshd } from '../../helpers/sshd.js';
import { SimulatedCrash, stageContext, type TestStageContext } from '../../helpers/stage-context.js';

const INSTALL = `${HOSTS_MOUNT}/contract`;

describe('ssh provider on two real sshd hosts', () => {
  let a: TestSshd;
  let b: TestSshd;
  let views: HostView[];
  let provider: SshProvider;
  const packages = new Map<string, PackageBytes>();
  const fetched: string[] = [];
  const spec = parseSshSpec({
    package: 'web',
    installDir: INSTALL,
    steps: [
      {
        name: 'migrate',
        phase: 'preDeploy',
        run: 'echo "migrate $BACKTRACK_RELEASE" >> ../../events.log',
        skipOnRollback: true,
      },
      { name: 'secret', phase: 'deploy', run: 'echo "the password is $DB_PASSWORD_VALUE"' },
      {
        name: 'flush',
        phase: 'postDeploy',
        run: 'echo "flush $BACKTRACK_RELEASE" >> ../../events.log',
        rollbackOnly: true,
      },
    ],
    verify: { run: './check.sh' },
  });

  const connection = () => sshConnectionTo([a, b]);
  const release = (version: string): StageRelease => ({
    id: crypto.randomUUID(),
    version,
    mode: 'deploy',
    packages: { web: { version, sha256: packages.get(version)!.sha256, packageVersionId: version } },
    environment: { currentRelease: null, previousRelease: null, previousSuccessfulDeploymentId: null },
  });
  const context = (r: StageRelease | null, extra: { crashAfterSaves?: number } = {}): TestStageContext =>
    stageContext({
      target: { kind: 'ssh', connection: connection(), environment: 'qa' },
      release: r,
      jobId: crypto.randomUUID(),
      secrets: ['hunter2-secret'],
      ...extra,
    });
  const current = () => views.map((v) => v.current(INSTALL));

  beforeAll(async () => {
    a = await startSshd();
    b = await startSshd({ userKey: a.privateKey });
    views = [a, b].map((s) => new HostView(s.root, HOSTS_MOUNT));
    for (const version of ['1.0.0', '1.0.1', '1.0.2']) {
      const content = appPackage(version, { broken: version === '1.0.2' });
      packages.set(version, { content, sha256: sha256(content), format: 'tar.gz' });
    }
    provider = new SshProvider({
      retainReleases: 2,
      packages: {
        bytes: (_name, version) => {
          fetched.push(version);
          return Promise.resolve(packages.get(version)!);
        },
      },
    });
  });

  afterAll(async () => {
    await a.stop();
    await b.stop();
  });

  const deploy = async (version: string, ctx = context(release(version))) => {
    const data = await provider.capture(ctx, spec);
    const outputs = await provider.deploy(ctx, spec, data);
    return { ctx, recorded: { spec, data, outputs } };
  };

  it('capture is read-only and a first deployment is recognised', async () => {
    const ctx = context(release('1.0.0'));
    const first = await provider.capture(ctx, spec);
    const again = await provider.capture(ctx, spec);
    expect(again).toEqual(first);
    expect(provider.isFirstDeployment(first)).toBe(true);
    expect(views.map((v) => fs.existsSync(v.file(INSTALL)))).toEqual([false, false]);
  });

  it('deploys, masks secrets in streamed output, and resumes a crash after any save without extracting twice', async () => {
    const { ctx, recorded } = await deploy('1.0.0');
    expect(current()).toEqual(['1.0.0', '1.0.0']);
    expect(
      recorded.outputs.hosts.every(
        (h) => h.how === 'installed' && h.bytesSent === packages.get('1.0.0')!.content.length,
      ),
    ).toBe(true);
    expect(ctx.logText()).not.toContain('hunter2-secret');

    // 1.0.1, with the worker "killed" right after each save in turn: every resumed attempt finishes the same way
    const saves = (await deploy('1.0.1', context(release('1.0.1')))).ctx.saves.length;
    expect(saves).toBeGreaterThan(6);
    for (let crashAt = 1; crashAt <= saves; crashAt += 3) {
      const r = release('1.0.1');
      let ctx2 = context(r, { crashAfterSaves: crashAt });
      const data = await provider.capture(ctx2, spec);
      let outputs;
      for (;;) {
        try {
          outputs = await provider.deploy(ctx2, spec, data);
          break;
        } catch (error) {
          if (!(error instanceof SimulatedCrash)) throw error;
          ctx2 = ctx2.resume();
        }
      }
      expect([crashAt, outputs.hosts.map((h) => h.live)]).toEqual([crashAt, ['1.0.1', '1.0.1']]);
      for (const view of views) {
        // one journal entry per deployment and host, however often it was resumed
        expect(view.journal(INSTALL).entries.filter((e: any) => e.deploymentId === ctx2.jobId)).toHaveLength(1);
      }
    }
    // each redeployment of 1.0.1 went beside the live 1.0.1 folder (never over it); two folders remain
    expect(current().map((c) => c?.replace(/_\d+$/, ''))).toEqual(['1.0.1', '1.0.1']);
    expect(views.map((v) => v.releases(INSTALL).length)).toEqual([2, 2]);
  });

  it('a failed verification on the hosts switches none of them', async () => {
    const before = current();
    await expect(deploy('1.0.2')).rejects.toThrow(/Verification failed on 127\.0\.0\.1:\d+/);
    expect(current()).toEqual(before);
  });

  it('drift: current moved by hand, or a file of the live release changed', async () => {
    const { recorded } = await deploy('1.0.0');
    expect(await provider.drift(context(null), recorded)).toEqual([]);
    fs.appendFileSync(
      views[1]!.file(`${INSTALL}/releases/${views[1]!.current(INSTALL)}/index.html`),
      'edited by hand\n',
    );
    const found = await provider.drift(context(null), recorded);
    expect(found).toEqual([
      expect.stringMatching(
        new RegExp(`on 127\\.0\\.0\\.1:${b.port} release 1\\.0\\.0 is no longer as it went live: files in it changed`),
      ),
    ]);
  });

  it('rolls back by switching where the folder is intact and redeploying where it is not, sending the package only there', async () => {
    const { recorded } = await deploy('1.0.1');
    fetched.length = 0;
    // host b's 1.0.0 was edited by hand above: not intact, so it gets the package again
    const outputs = await provider.rollback(context(null), recorded);
    expect(outputs.hosts.map((h) => [h.live, h.how, h.bytesSent > 0])).toEqual([
      ['1.0.0', 'switched back', false],
      ['1.0.0', 'redeployed', true],
    ]);
    expect(fetched).toEqual(['1.0.0']);
    // the edited folder is left as it is (a person changed it): the package goes beside it
    expect(current()).toEqual(['1.0.0', '1.0.0_2']);
    for (const view of views) expect(view.events(INSTALL).at(-1)).toBe('flush 1.0.0');
  });
});
