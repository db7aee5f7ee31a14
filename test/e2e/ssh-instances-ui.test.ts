import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createPipeline, createService } from '../helpers/executions.js';
import { appPackage, createRelease, deployRelease, HostView, uploadPackage } from '../helpers/ssh-releases.js';
import { HOSTS_MOUNT, sshConnectionTo, startSshd, type TestSshd } from '../helpers/sshd.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];
const INSTALL = `${HOSTS_MOUNT}/ui`;

describe('the web UI: a release on two real SSH hosts, per host in Instances, rolled back from there', () => {
  let h: Harness;
  let hosts: TestSshd[];
  let browser: Browser;
  let page: Page;
  let serviceId: string;
  const executions: any[] = [];
  const pageErrors: string[] = [];
  const hostRows = () => page.getByTestId('instance-host');

  beforeAll(async () => {
    const first = await startSshd();
    hosts = [first, await startSshd({ userKey: first.privateKey })];
    h = await startHarness();
    const infrastructure = await h.api('POST', '/api/infrastructures', {
      body: { name: 'ui-hosts', environment: 'qa', kind: 'ssh', connection: sshConnectionTo(hosts) },
    });
    expect(infrastructure.status).toBe(201);
    serviceId = await createService(h, 'storefront');
    const pipelineId = await createPipeline(h, 'storefront-release', {
      stages: [
        {
          name: 'web',
          service: 'storefront',
          infrastructure: 'ui-hosts',
          spec: { package: 'storefront', installDir: INSTALL, verify: { run: './check.sh' } },
        },
      ],
    });
    for (const version of ['3.1.0', '3.2.0']) {
      await uploadPackage(h, 'storefront', version, appPackage(version));
      executions.push(
        await deployRelease(h, await createRelease(h, pipelineId, version, { storefront: version }), 'qa'),
      );
    }
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await closeStarted(browser, h);
    for (const s of hosts) await s.stop();
  });

  it('shows per host the live release and the retained ones, and the release in Activities', async () => {
    expect(executions.map((e) => [e.status, e.stages[0].artifact])).toEqual([
      ['Completed', 'storefront@3.1.0'],
      ['Completed', 'storefront@3.2.0'],
    ]);
    await page.goto(h.url);
    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Branches' }).waitFor();
    await page.goto(`${h.url}/#/services/${serviceId}/instances`);
    await page.getByTestId('instance-artifact').filter({ hasText: 'storefront@3.2.0' }).waitFor();
    await expect(hostRows().allTextContents()).resolves.toEqual(
      hosts.map((s) => `127.0.0.1:${s.port}: live 3.2.0 · kept 3.2.0, 3.1.0`),
    );
    await page.goto(`${h.url}/#/executions`);
    await page.getByTestId('execution-release').first().waitFor();
    await expect(page.getByTestId('execution-release').allTextContents()).resolves.toEqual([
      'release 3.2.0',
      'release 3.1.0',
    ]);
  });

  it('rolls back from Instances: both hosts switch back to 3.1.0, and the hosts list says so', async () => {
    await page.goto(`${h.url}/#/services/${serviceId}/instances`);
    await page.getByTestId('rollback-button').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await page.locator('[data-testid=rollback-execution][data-status=Completed]').waitFor({ timeout: 60_000 });
    await page.getByTestId('instance-artifact').filter({ hasText: 'storefront@3.1.0' }).waitFor();
    await expect(page.getByTestId('host-live').allTextContents()).resolves.toEqual(['3.1.0', '3.1.0']);
    // the hosts themselves, not only what Backtrack says
    expect(hosts.map((s) => new HostView(s.root, HOSTS_MOUNT).current(INSTALL))).toEqual(['3.1.0', '3.1.0']);
    expect(pageErrors).toEqual([]);
  });
});
