import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  createPipeline,
  createService,
  deploymentManifest,
  finished,
  infrastructureId,
  kubernetesStage,
  runPipeline,
} from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken } from '../helpers/scoped-access.js';
import { alertPayload, sloPolicy } from '../helpers/slo.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];
const SCREENSHOTS = new URL('../../../docs/screenshots/', import.meta.url);

describe("the web UI: a service's SLO rollback decisions", () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let serviceId: string;
  let rollbackJobId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    h = await startHarness({ SLO_EVAL_SECONDS: '0' });
    serviceId = await createService(h, 'checkout');
    const pipelineId = await createPipeline(h, 'shop', {
      stages: [
        kubernetesStage('web', 'checkout', 'Local Cluster', [deploymentManifest('checkout', '<+artifact.image>')]),
      ],
    });
    await runPipeline(h, pipelineId, { artifacts: { checkout: 'nginx:1.26' } });
    const two = await runPipeline(h, pipelineId, { artifacts: { checkout: 'nginx:1.27' } });
    await sloPolicy(h, { serviceId, infrastructureId: await infrastructureId(h, 'Local Cluster') });
    const token = (await createToken(h, ['rollback'], ['dev'])).token;
    const labels = { service: 'checkout', environment: 'dev', infrastructure: 'Local Cluster' };
    const inside = await h.api('POST', '/api/hooks/alertmanager', {
      token,
      body: alertPayload({ labels, startsAt: new Date(Date.parse(two.finishedAt) + 1000), fingerprint: 'aa' }),
    });
    rollbackJobId = inside.body.decisions[0].rollbackJobId;
    await finished(h, rollbackJobId);
    await h.api('POST', '/api/hooks/alertmanager', {
      token,
      body: alertPayload({ labels, startsAt: new Date(Date.parse(two.finishedAt) + 2 * 3600_000), fingerprint: 'bb' }),
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 180_000);
  afterAll(() => closeStarted(browser, h));

  it('lists each decision with why, and links the Rollback the policy started', async () => {
    await page.goto(h.url);
    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Branches' }).waitFor();
    await page.goto(`${h.url}/#/services/${serviceId}/slo`);
    const card = page.locator('[data-testid=monitored-service][data-infrastructure="Local Cluster"]');
    await card.getByTestId('slo-decision').first().waitFor();
    expect(await card.getByTestId('slo-policy').textContent()).toContain(
      'checkout burn: Rollback Deployment when burn rate above 14.4 over 5 min, within 60 min after a deployment',
    );
    const rolledBack = card.locator('[data-testid=slo-decision][data-outcome=rollback]');
    expect(await rolledBack.getByTestId('slo-rollback-link').getAttribute('href')).toBe(
      `#/executions/${rollbackJobId}`,
    );
    const refused = card.locator('[data-testid=slo-decision][data-outcome=already-rolled-back]');
    await expect(refused.getByTestId('slo-outcome').textContent()).resolves.toBe('Already rolled back');
    await expect(refused.getByTestId('slo-reason').textContent()).resolves.toContain(
      `was already rolled back (Rollback ${rollbackJobId})`,
    );
    expect(pageErrors).toEqual([]);
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: new URL('service-slo-rollback.png', SCREENSHOTS).pathname, fullPage: true });
    }
  });
});
