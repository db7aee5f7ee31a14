import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import fs from 'node:fs';
import { startIntegrationStack, type IntegrationStack } from '../helpers/integration-stack.js';
import { waitFor } from '../helpers/lifecycle.js';
import { appPackage, HostView } from '../helpers/ssh-releases.js';
import { HOSTS_MOUNT, sshConnectionTo, startSshd, type TestSshd } from '../helpers/sshd.js';

const INSTALL = `${HOSTS_MOUNT}/kill`;

describe('a worker SIGKILLed in the middle of an SSH rollback', () => {
  let stack: IntegrationStack;
  let hosts: TestSshd[];
  let views: HostView[];
  const call: IntegrationStack['call'] = (...args) => stack.call(...args);
  const finished = (id: string) => stack.finished(`/api/executions/${id}`, 120_000);

  beforeAll(async () => {
    const first = await startSshd();
    hosts = [first, await startSshd({ userKey: first.privateKey })];
    views = hosts.map((s) => new HostView(s.root, HOSTS_MOUNT));
    stack = await startIntegrationStack();
  });

  afterAll(async () => {
    await stack.close();
    for (const s of hosts) await s.stop();
  });

  it('resumes in another worker and switches current once on each host', async () => {
    const infrastructure = await call('POST', '/api/infrastructures', {
      name: 'kill-hosts',
      environment: 'qa',
      kind: 'ssh',
      connection: sshConnectionTo(hosts),
    });
    expect(infrastructure.status).toBe(201);
    expect((await call('POST', '/api/services', { name: 'kill' })).status).toBe(201);
    const pipeline = await call('POST', '/api/pipelines', {
      name: 'kill-ssh',
      definition: {
        stages: [
          {
            name: 'kill',
            service: 'kill',
            infrastructure: 'kill-hosts',
            spec: {
              package: 'kill',
              installDir: INSTALL,
              steps: [
                // slow enough to kill the worker while it runs
                {
                  name: 'flush',
                  phase: 'postDeploy',
                  run: 'echo "flush $BACKTRACK_RELEASE" >> ../../events.log; sleep 4',
                  rollbackOnly: true,
                },
              ],
              verify: { run: './check.sh' },
            },
          },
        ],
      },
    });
    expect(pipeline.status).toBe(201);
    const executions: string[] = [];
    await stack.startWorker();
    for (const version of ['2.0.0', '2.0.1']) {
      expect([200, 201]).toContain(
        (await call('POST', `/api/packages/kill/versions/${version}`, appPackage(version), 'application/gzip')).status,
      );
      const release = await call('POST', `/api/pipelines/${pipeline.body.id}/releases`, {
        version,
        packages: { kill: version },
      });
      expect(release.status).toBe(201);
      const started = await call('POST', `/api/releases/${release.body.id}/deployments`, { environment: 'qa' });
      expect(started.status).toBe(201);
      const done = await finished(started.body.id);
      expect([done.status, done.error]).toEqual(['Completed', null]);
      executions.push(done.id);
    }

    const start = await call('POST', `/api/executions/${executions[1]}/rollback`, {});
    expect(start.status).toBe(202);
    const rollbackId = start.body.id as string;
    // both hosts switched back and the slow rollbackOnly step runs
    await waitFor(
      'the switch on both hosts',
      async () => {
        const rows = await stack.db.query(`SELECT state FROM execution_stages WHERE job_id = $1`, [rollbackId]);
        const state = rows.rows[0]?.state ?? {};
        return hosts.every((s) => state[`127.0.0.1:${s.port} switched`] === true);
      },
      { intervalMs: 20, timeoutMs: 60_000 },
    );
    const links = views.map((v) => fs.lstatSync(v.file(`${INSTALL}/current`)).ino);
    await stack.workers.at(-1)!.kill('SIGKILL');
    expect(views.map((v) => v.current(INSTALL))).toEqual(['2.0.0', '2.0.0']);

    await stack.startWorker();
    const rollback = await finished(rollbackId);
    expect([rollback.status, rollback.error]).toEqual(['Completed', null]);
    // the same symlink (not made again), one journal entry of this rollback per host, one "switched back" line per host
    expect(views.map((v) => fs.lstatSync(v.file(`${INSTALL}/current`)).ino)).toEqual(links);
    expect(views.map((v) => v.current(INSTALL))).toEqual(['2.0.0', '2.0.0']);
    for (const view of views)
      expect(view.journal(INSTALL).entries.filter((e: any) => e.deploymentId === rollbackId)).toHaveLength(1);
    const logs = (await call('GET', `/api/executions/${rollbackId}/logs`)).body.logs.map(
      (l: { message: string }) => l.message,
    );
    for (const s of hosts)
      expect(logs.filter((m: string) => m.startsWith(`[127.0.0.1:${s.port}] current →`))).toHaveLength(1);
    expect(logs).toContain('Resuming the rollback of stage "kill" where it stopped.');
  });
});
