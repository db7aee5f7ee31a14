import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';
import {
  createPipeline,
  createService,
  deploymentManifest,
  kubernetesStage,
  clusterClients,
  liveImage,
  runPipeline,
} from '../helpers/executions.js';

const LOCAL_CLUSTER = 'Local Cluster';

const SCREENSHOTS = new URL('../../../docs/screenshots/', import.meta.url);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];

/** Writes docs/screenshots/<name>.png when UPDATE_SCREENSHOTS=1 (CI leaves them alone). */
async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true });
}

describe('the web UI: a service deployed to Local Cluster, rolled back from its Instances view', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let serviceId: string;
  let pipelineId: string;
  const executions: any[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    h = await startHarness();
    serviceId = await createService(h, 'checkout');
    pipelineId = await createPipeline(h, 'shop', {
      stages: [
        kubernetesStage('checkout', 'checkout', LOCAL_CLUSTER, [deploymentManifest('checkout', '<+artifact.image>')]),
      ],
    });
    for (const image of ['nginx:1.26', 'nginx:1.27'])
      executions.push(await runPipeline(h, pipelineId, { artifacts: { checkout: image } }));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 180_000);
  afterAll(async () => {
    await closeStarted(browser, h);
  });

  it('ran both executions to Completed through the API', async () => {
    expect(executions.map((e) => [e.status, e.stages[0].artifact])).toEqual([
      ['Completed', 'nginx:1.26'],
      ['Completed', 'nginx:1.27'],
    ]);
    expect(await liveImage(h, 'checkout')).toBe('nginx:1.27');
  });

  const instance = () => page.locator(`[data-testid=instance][data-infrastructure="${LOCAL_CLUSTER}"]`);
  it("opens the service's Instances: nginx:1.27 now, nginx:1.26 before, and a Rollback button", async () => {
    await page.goto(h.url);
    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Branches' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    await page.getByTestId('services-table').getByRole('link', { name: 'checkout' }).click();
    expect(page.url()).toContain(`#/services/${serviceId}/instances`);
    await instance().getByTestId('instance-artifact').filter({ hasText: 'nginx:1.27' }).waitFor();
    await expect(instance().getByTestId('previous-artifact').textContent()).resolves.toBe('nginx:1.26');
    expect(await instance().getByTestId('current-execution').getAttribute('href')).toBe(
      `#/executions/${executions[1].id}`,
    );
    await screenshot(page, 'instances');
  });

  it('asks before rolling back, showing what each stage does; Cancel changes nothing', async () => {
    await instance().getByTestId('rollback-button').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('rollback-plan').waitFor();
    await expect(dialog.getByTestId('rollback-plan').textContent()).resolves.toMatch(
      /checkout \(kubernetes\): .*nginx:1\.26/,
    );
    expect(await dialog.getByTestId('rollback-force').isVisible()).toBe(false); // force only after a drift refusal
    await screenshot(page, 'instances-rollback-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await h.api('GET', `/api/executions/${executions[1].id}`)).body.rollbackJobId ?? null).toBeNull();
  });

  it('rolls back on confirmation: the Rollback execution reaches Completed, the instance shows nginx:1.26', async () => {
    await instance().getByTestId('rollback-button').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await page.locator('[data-testid=rollback-execution][data-status=Completed]').waitFor({ timeout: 60_000 });
    await instance().getByTestId('instance-artifact').filter({ hasText: 'nginx:1.26' }).waitFor();
    const { body } = await h.api('GET', `/api/services/${serviceId}/instances`);
    const local = body.instances.find((i: any) => i.infrastructure.name === LOCAL_CLUSTER);
    expect(local.current.executionId).toBe(executions[0].id);
    expect(await liveImage(h, 'checkout')).toBe('nginx:1.26'); // the cluster itself, not only what Backtrack says
    await screenshot(page, 'instances-after-rollback');
  });

  it('shows the Rollback execution with its stage, and no Rollback on it', async () => {
    await page
      .getByTestId('rollback-execution')
      .getByRole('link', { name: /^Rollback / })
      .click();
    await page.getByTestId('execution-summary').waitFor();
    await page.locator('[data-testid=stage] [data-status=Completed]').waitFor();
    expect(await page.getByTestId('rolled-back-link').getAttribute('href')).toBe(`#/executions/${executions[1].id}`);
    expect(await page.getByTestId('rollback-button').count()).toBe(0);
    await page.getByTestId('log').locator('li').first().waitFor();
    await screenshot(page, 'execution-rollback');
  });

  it('after another deploy and a change by hand on the cluster, refuses for drift, then rolls back with force', async () => {
    executions.push(await runPipeline(h, pipelineId, { artifacts: { checkout: 'nginx:1.28' } }));
    const { apps } = clusterClients(h);
    const live = await apps.readNamespacedDeployment({ name: 'checkout', namespace: 'default' });
    live.spec!.template.spec!.containers[0]!.image = 'nginx:hotfix';
    await apps.replaceNamespacedDeployment({ name: 'checkout', namespace: 'default', body: live });

    await page.goto(`${h.url}/#/services/${serviceId}/instances`);
    await instance().getByTestId('instance-artifact').filter({ hasText: 'nginx:1.28' }).waitFor();
    await instance().getByTestId('rollback-button').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await page.locator('[data-testid=rollback-execution][data-status=Exception]').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('rollback-error').textContent()).resolves.toMatch(/Drift: .*nginx:hotfix/);
    expect(await liveImage(h, 'checkout')).toBe('nginx:hotfix'); // refused before it changed anything

    await page.getByTestId('rollback-force-button').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('rollback-force').check();
    await screenshot(page, 'instances-rollback-force');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await page.locator('[data-testid=rollback-execution][data-status=Completed]').waitFor({ timeout: 60_000 });
    await instance().getByTestId('instance-artifact').filter({ hasText: 'nginx:1.26' }).waitFor();
    expect(await liveImage(h, 'checkout')).toBe('nginx:1.26');
  });

  it('runs the pipeline from its page: the execution page follows it live to Completed', async () => {
    await page.goto(`${h.url}/#/pipelines`);
    await page.getByTestId('pipelines-table').getByRole('link', { name: 'shop' }).click();
    await page.getByLabel('Artifact for checkout').fill('nginx:1.29');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByTestId('execution-summary').waitFor();
    expect(page.url()).toMatch(/#\/executions\/[0-9a-f-]{36}$/);
    await page.locator('[data-testid=stage][data-stage=checkout] [data-status=Completed]').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('stage-artifact').textContent()).resolves.toBe('nginx:1.29');
    await page.getByTestId('rollback-button').waitFor(); // the current deployment: rollback is offered
    await page.getByTestId('log').getByText('Finished: Completed').waitFor();
    expect(await liveImage(h, 'checkout')).toBe('nginx:1.29');
    await screenshot(page, 'execution');
  });

  it("lists the deploys and the rollbacks in the pipeline's Activities, and threw no page errors", async () => {
    await page.getByTestId('execution-summary').getByRole('link', { name: 'shop v1' }).click();
    await page.getByRole('tab', { name: 'Activities' }).click();
    await page.locator('[data-testid=execution][data-kind=Rollback]').first().waitFor();
    expect(await page.locator('[data-testid=execution][data-kind=Deploy]').count()).toBe(4);
    expect(await page.locator('[data-testid=execution][data-kind=Rollback]').count()).toBe(3);
    expect(pageErrors).toEqual([]);
  });
});
