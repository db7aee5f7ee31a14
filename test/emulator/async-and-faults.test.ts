import { describe, it, expect } from '@jest/globals';
import {
  apexClass,
  classMeta,
  componentMessages,
  deployAndWait,
  emulatorSuite,
  packageXml,
} from './emulator.helper.js';
import { makeZip } from './zip.helper.js';

const classZip = (...names: string[]) =>
  makeZip({
    'package.xml': packageXml({ ApexClass: names }),
    ...Object.fromEntries(
      names.flatMap((n) => [
        [`classes/${n}.cls`, apexClass(n)],
        [`classes/${n}.cls-meta.xml`, classMeta],
      ]),
    ),
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deploy progress, queueing and cancel', () => {
  const { emulator, newOrg } = emulatorSuite({ latencyMs: 300 });

  it('answers deploy with a queued id, then goes Pending, InProgress with growing counts, and done', async () => {
    const { conn } = newOrg();
    // Windows wide enough (0.9 s Pending, 2.1 s InProgress) that polls on a busy machine still see each state.
    emulator().admin.setLatency(3000);
    const zip = await classZip('A', 'B', 'C', 'D');
    let started;
    try {
      started = await conn.metadata.deploy(zip, { singlePackage: true });
    } finally {
      emulator().admin.setLatency(300); // the deploy read its latency when it started
    }
    expect(started.done).toBe(false);
    expect(started.state).toBe('Queued');
    const seen: string[] = [];
    const deployedCounts: number[] = [];
    for (;;) {
      const status = await conn.metadata.checkDeployStatus(started.id, false);
      if (seen.at(-1) !== status.status) seen.push(status.status);
      if (status.status === 'InProgress') deployedCounts.push(status.numberComponentsDeployed);
      if (status.done) break;
      await sleep(15);
    }
    expect(seen).toEqual(['Pending', 'InProgress', 'Succeeded']);
    expect(deployedCounts.length > 1).toBeTruthy();
    expect(deployedCounts.at(-1)! > deployedCounts[0]!).toBeTruthy();
  });

  it('runs one deploy per org at a time: a second one stays Pending until the first is done', async () => {
    const { conn } = newOrg();
    const first = await conn.metadata.deploy(await classZip('A'), { singlePackage: true });
    const second = await conn.metadata.deploy(await classZip('B'), { singlePackage: true });
    for (;;) {
      const [a, b] = await Promise.all([
        conn.metadata.checkDeployStatus(first.id),
        conn.metadata.checkDeployStatus(second.id),
      ]);
      if (!a.done) expect(b.status).toBe('Pending'); // the second waits while the first runs
      if (a.done) break;
      await sleep(15);
    }
  });

  it('cancels a deploy that is not done and applies nothing of it', async () => {
    const { org, conn } = newOrg();
    const started = await conn.metadata.deploy(await classZip('A'), { singlePackage: true });
    const canceled = await conn.metadata.cancelDeploy(started.id);
    expect(canceled.id).toBe(started.id);
    await sleep(400);
    const status = await conn.metadata.checkDeployStatus(started.id);
    expect(status.status).toBe('Canceled');
    expect(status.done).toBe(true);
    expect(emulator().admin.listComponents(org.id)).toEqual([]);
  });

  it('holds deploys in InProgress while paused and finishes them on release', async () => {
    const { org, conn } = newOrg();
    emulator().admin.pauseDeploys(org.id);
    const started = await conn.metadata.deploy(await classZip('A'), { singlePackage: true });
    await sleep(500);
    expect((await conn.metadata.checkDeployStatus(started.id)).status).toBe('InProgress');
    expect(emulator().admin.listComponents(org.id)).toEqual([]);
    emulator().admin.releaseDeploys(org.id);
    await sleep(50);
    expect((await conn.metadata.checkDeployStatus(started.id)).status).toBe('Succeeded');
  });
});

describe('fault injection', () => {
  const { emulator, newOrg } = emulatorSuite({ latencyMs: 0 });

  it('fails a named component with the given problem in the next deploy only', async () => {
    const { org, conn } = newOrg();
    emulator().admin.failComponent({
      orgId: org.id,
      type: 'ApexClass',
      fullName: 'B',
      problem: 'Dependent class is invalid',
    });
    const failed = await deployAndWait(conn, await classZip('A', 'B'));
    expect(failed.status).toBe('Failed');
    expect(componentMessages(failed.details?.componentFailures).map((f) => [f.fullName, f.problem])).toEqual([
      ['B', 'Dependent class is invalid'],
    ]);
    const retried = await deployAndWait(conn, await classZip('A', 'B'));
    expect(retried.status).toBe('Succeeded');
  });

  it('drops the connection of a checkDeployStatus call without answering', async () => {
    const { org, conn } = newOrg();
    const started = await conn.metadata.deploy(await classZip('A'), { singlePackage: true });
    emulator().admin.dropConnections({ orgId: org.id, operation: 'checkDeployStatus' });
    await expect(conn.metadata.checkDeployStatus(started.id)).rejects.toThrow();
    // The deploy went on without the caller: polled again (as long as a loaded machine needs), it ends Succeeded.
    let status = await conn.metadata.checkDeployStatus(started.id);
    while (!status.done) {
      await sleep(20);
      status = await conn.metadata.checkDeployStatus(started.id);
    }
    expect(status.status).toBe('Succeeded');
  });

  it('processes a deploy whose answer is lost when the drop comes after processing', async () => {
    const { org, conn } = newOrg();
    emulator().admin.dropConnections({ orgId: org.id, operation: 'deploy', afterProcessing: true });
    const zip = await classZip('A');
    await expect(async () => conn.metadata.deploy(zip, { singlePackage: true })).rejects.toThrow();
    await sleep(50);
    expect(emulator().admin.deploys(org.id).count).toBe(1);
    expect(
      emulator()
        .admin.listComponents(org.id)
        .map((c) => c.fullName),
    ).toEqual(['A']);
  });

  it('delays answers by the injected latency', async () => {
    const { org, conn } = newOrg();
    emulator().admin.addLatency({ orgId: org.id, operation: 'describeMetadata', ms: 150 });
    const start = Date.now();
    await conn.metadata.describe();
    expect(Date.now() - start >= 140).toBeTruthy();
    emulator().admin.clearFaults();
  });

  it('counts the deploys an org received', async () => {
    const { org, conn } = newOrg();
    expect(emulator().admin.deploys(org.id).count).toBe(0);
    const result = await deployAndWait(conn, await classZip('A'));
    const history = emulator().admin.deploys(org.id);
    expect(history.count).toBe(1);
    expect(history.deploys[0]?.id).toBe(result.id);
    expect(history.deploys[0]?.status).toBe('Succeeded');
  });
});
