import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { createPipeline, createService, finished, rollBack } from '../helpers/executions.js';
import {
  appPackage,
  createRelease,
  deployRelease,
  EVENT_STEPS,
  HostView,
  uploadPackage,
} from '../helpers/ssh-releases.js';
import { HOSTS_MOUNT, sshConnectionTo, startSshd, type TestSshd } from '../helpers/sshd.js';

// Two real Debian OpenSSH servers on two loopback ports, each seeing its own folder at HOSTS_MOUNT: two hosts.
const INSTALL = `${HOSTS_MOUNT}/web`;

describe('SSH releases on two real sshd hosts: deploy, switch back, redeploy previous, retention', () => {
  let h: Harness;
  let a: TestSshd;
  let b: TestSshd;
  let hostA: HostView;
  let hostB: HostView;
  let pipelineId: string;
  const releases = new Map<string, string>();
  const executions = new Map<string, any>();

  const both = <T>(fn: (host: HostView) => T): T[] => [fn(hostA), fn(hostB)];

  beforeAll(async () => {
    a = await startSshd();
    b = await startSshd({ userKey: a.privateKey });
    hostA = new HostView(a.root, HOSTS_MOUNT);
    hostB = new HostView(b.root, HOSTS_MOUNT);
    h = await startHarness({ RETAIN_RELEASES: '2' });
    const infrastructure = await h.api('POST', '/api/infrastructures', {
      body: {
        name: 'web-hosts',
        environment: 'qa',
        kind: 'ssh',
        connection: sshConnectionTo([a, b]),
      },
    });
    expect(infrastructure.status).toBe(201);
    expect(JSON.stringify(infrastructure.body)).not.toContain('PRIVATE KEY');
    await createService(h, 'web');
    pipelineId = await createPipeline(h, 'web-release', {
      stages: [
        {
          name: 'web',
          service: 'web',
          infrastructure: 'web-hosts',
          spec: {
            package: 'web',
            installDir: INSTALL,
            skipIfAlreadyInstalled: true,
            commandTimeoutSeconds: 60,
            steps: EVENT_STEPS,
            verify: { run: './check.sh' },
          },
        },
      ],
    });
    for (const version of ['1.1.20', '1.1.21', '1.1.22', '1.1.23', '1.1.24']) {
      await uploadPackage(h, 'web', version, appPackage(version, { broken: version === '1.1.24' }));
      releases.set(version, await createRelease(h, pipelineId, version, { web: version }));
    }
  });

  afterAll(async () => {
    await h.close();
    await a.stop();
    await b.stop();
  });

  it('deploys 1.1.20 then 1.1.21 to both hosts: staged, verified, current switched, the previous deployment in the variables', async () => {
    const first = await deployRelease(h, releases.get('1.1.20')!, 'qa');
    expect([first.status, first.error]).toEqual(['Completed', null]);
    executions.set('1.1.20', first);
    const second = await deployRelease(h, releases.get('1.1.21')!, 'qa');
    expect([second.status, second.error]).toEqual(['Completed', null]);
    executions.set('1.1.21', second);
    expect(second.release).toMatchObject({ version: '1.1.21', mode: 'deploy' });

    expect(both((host) => host.current(INSTALL))).toEqual(['1.1.21', '1.1.21']);
    expect(both((host) => host.releases(INSTALL))).toEqual([
      ['1.1.20', '1.1.21'],
      ['1.1.20', '1.1.21'],
    ]);
    for (const host of [hostA, hostB]) {
      const events = host.events(INSTALL);
      expect(events).toEqual([
        'migrate 1.1.20',
        expect.stringMatching(/^start 1\.1\.20 rollback=false current= previous= path= pv= id=$/),
        'migrate 1.1.21',
        `start 1.1.21 rollback=false current=1.1.20 previous=1.1.20 path=${INSTALL}/releases/1.1.20 pv=1.1.20 id=${first.id}`,
      ]);
      const journal = host.journal(INSTALL).entries;
      expect(journal.map((e) => [e.release, e.outcome, e.mode, e.deploymentId])).toEqual([
        ['1.1.20', 'Success', 'deploy', first.id],
        ['1.1.21', 'Success', 'deploy', second.id],
      ]);
      expect(journal[1].checksum).toMatch(/^[0-9a-f]{64}$/);
    }
    const stage = second.stages[0];
    expect(stage.outputs.hosts.map((o: any) => [o.live, o.how, o.bytesSent > 0])).toEqual([
      ['1.1.21', 'installed', true],
      ['1.1.21', 'installed', true],
    ]);
  });

  it('rolls the 1.1.21 execution back by switching current to 1.1.20 on both hosts: nothing sent or extracted, skipOnRollback not run, rollbackOnly run', async () => {
    // a file planted in the retained folder survives only if it is not extracted again
    for (const host of [hostA, hostB]) fs.writeFileSync(host.file(`${INSTALL}/releases/1.1.20/planted`), 'x');
    const rollback = await rollBack(h, executions.get('1.1.21').id);
    expect([rollback.status, rollback.error]).toEqual(['Completed', null]);
    expect(both((host) => host.current(INSTALL))).toEqual(['1.1.20', '1.1.20']);
    for (const host of [hostA, hostB]) {
      expect(fs.existsSync(host.file(`${INSTALL}/releases/1.1.20/planted`))).toBe(true);
      const events = host.events(INSTALL).slice(4);
      expect(events).toEqual(['flush 1.1.20']);
      const entries = host.journal(INSTALL).entries.filter((e: any) => e.deploymentId === rollback.id);
      expect(entries.map((e: any) => [e.release, e.mode, e.outcome])).toEqual([['1.1.20', 'switch-back', 'Success']]);
    }
    expect(rollback.stages[0].outputs.hosts.map((o: any) => [o.live, o.how, o.bytesSent])).toEqual([
      ['1.1.20', 'switched back', 0],
      ['1.1.20', 'switched back', 0],
    ]);
    const again = await h.api('POST', `/api/executions/${executions.get('1.1.21').id}/rollback`, { body: {} });
    expect(again.status).toBe(409);
  });

  it('deploys 1.1.21 again without sending it (skipIfAlreadyInstalled), then redeploys the previous release as Octopus does', async () => {
    const again = await deployRelease(h, releases.get('1.1.21')!, 'qa');
    expect([again.status, again.error]).toEqual(['Completed', null]);
    expect(again.stages[0].outputs.hosts.map((o: any) => [o.how, o.bytesSent])).toEqual([
      ['already installed', 0],
      ['already installed', 0],
    ]);
    expect(both((host) => host.current(INSTALL))).toEqual(['1.1.21', '1.1.21']);

    const previous = await h.api('GET', `/api/releases/previous?pipeline=${pipelineId}&environment=qa`);
    expect(previous.status).toBe(200);
    expect(previous.body.previous.release.version).toBe('1.1.20');
    const redeploy = await deployRelease(h, releases.get('1.1.20')!, 'qa', 'rollback');
    expect([redeploy.status, redeploy.error]).toEqual(['Completed', null]);
    expect(redeploy.release).toMatchObject({ version: '1.1.20', mode: 'rollback' });
    expect(both((host) => host.current(INSTALL))).toEqual(['1.1.20', '1.1.20']);
    for (const host of [hostA, hostB]) {
      // already installed intact: no migrate (skipOnRollback) and no start; the rollbackOnly flush ran
      expect(host.events(INSTALL).slice(5)).toEqual(['flush 1.1.20']);
    }
    // the execution it replaced is claimed: it cannot also be rolled back
    expect((await h.api('POST', `/api/executions/${again.id}/rollback`, { body: {} })).status).toBe(409);
  });

  it('keeps only the two most recent successful releases on each host after a third and a fourth', async () => {
    for (const version of ['1.1.22', '1.1.23']) {
      const run = await deployRelease(h, releases.get(version)!, 'qa');
      expect([version, run.status, run.error]).toEqual([version, 'Completed', null]);
      executions.set(version, run);
    }
    expect(both((host) => host.releases(INSTALL))).toEqual([
      ['1.1.22', '1.1.23'],
      ['1.1.22', '1.1.23'],
    ]);
    expect(executions.get('1.1.23').stages[0].outputs.hosts.map((o: any) => o.retained)).toEqual([
      ['1.1.23', '1.1.22'],
      ['1.1.23', '1.1.22'],
    ]);
    const instances = await h.api('GET', `/api/services/${executions.get('1.1.23').stages[0].service.id}/instances`);
    expect(instances.body.instances[0].hosts.map((x: any) => [x.live, x.retained])).toEqual([
      ['1.1.23', ['1.1.23', '1.1.22']],
      ['1.1.23', ['1.1.23', '1.1.22']],
    ]);
  });

  it('a verification failure leaves the previous release live on every host', async () => {
    const failed = await deployRelease(h, releases.get('1.1.24')!, 'qa');
    expect(failed.status).toBe('Exception');
    expect(failed.error).toMatch(/Verification failed on 127\.0\.0\.1:\d+: .*exited 3: status: broken/);
    expect(both((host) => host.current(INSTALL))).toEqual(['1.1.23', '1.1.23']);
    for (const host of [hostA, hostB]) {
      const last = host.journal(INSTALL).entries.at(-1);
      expect([last.release, last.outcome]).toEqual(['1.1.24', 'Failed']);
    }
  });

  it('redeploys the previous package forward on a host whose retained folder is gone', async () => {
    fs.rmSync(hostB.file(`${INSTALL}/releases/1.1.22`), { recursive: true, force: true });
    const rollback = await rollBack(h, executions.get('1.1.23').id);
    expect([rollback.status, rollback.error]).toEqual(['Completed', null]);
    expect(both((host) => host.current(INSTALL))).toEqual(['1.1.22', '1.1.22']);
    expect(rollback.stages[0].outputs.hosts.map((o: any) => [o.how, o.bytesSent > 0])).toEqual([
      ['switched back', false],
      ['redeployed', true],
    ]);
    // the redeploy ran as a rollback: start ran with BACKTRACK_ROLLBACK=true, migrate (skipOnRollback) did not
    const events = hostB.events(INSTALL);
    expect(events.slice(-2)).toEqual([expect.stringMatching(/^start 1\.1\.22 rollback=true /), 'flush 1.1.22']);
    expect(events.at(-3)).not.toBe('migrate 1.1.22');
    expect(hostA.events(INSTALL).at(-1)).toBe('flush 1.1.22');
  });

  it('a changed host key refuses the job, naming the host and both fingerprints; nothing runs', async () => {
    const pinned = b.hostKeyFingerprint;
    const offered = await b.rotateHostKey();
    const before = both((host) => host.events(INSTALL).length);
    const run = await deployRelease(h, releases.get('1.1.23')!, 'qa');
    expect(run.status).toBe('Exception');
    expect(run.error).toContain(`127.0.0.1:${b.port}`);
    expect(run.error).toContain(pinned);
    expect(run.error).toContain(offered);
    expect(both((host) => host.events(INSTALL).length)).toEqual(before);
    expect(both((host) => host.current(INSTALL))).toEqual(['1.1.22', '1.1.22']);
  });

  it('an unreachable host ends the stage in Exception with the reason', async () => {
    await b.stop();
    const run = await deployRelease(h, releases.get('1.1.23')!, 'qa');
    expect(run.status).toBe('Exception');
    expect(run.error).toMatch(new RegExp(`127\\.0\\.0\\.1:${b.port}`));
    const logs = await h.api('GET', `/api/executions/${run.id}/logs`);
    expect(JSON.stringify(logs.body)).not.toContain('PRIVATE KEY');
  });

  it('refuses to run an ssh stage outside a release', async () => {
    const res = await h.api('POST', `/api/pipelines/${pipelineId}/executions`, { body: {} });
    const run = res.status === 202 ? await finished(h, res.body.id) : res.body;
    expect(JSON.stringify(run)).toMatch(/create a release/);
  });
});
