import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_TOKEN, startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';

const SCREENSHOTS = new URL('../../../docs/screenshots/', import.meta.url);
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OLD_CALCULATOR = 'public with sharing class DiscountCalculator {\n    // before the deploy\n}\n';
const CLASS_META =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n';

/** Writes docs/screenshots/<name>.png when UPDATE_SCREENSHOTS=1 (CI leaves them alone). */
async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true });
}

describe('the web UI: deploy the demo branch, then roll it back by picking components', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const orgState = () =>
    h.backtrack
      .emulator!.admin.listComponents(h.backtrack.emulator!.defaultOrg.id)
      .map((c) => `${c.type}:${c.fullName} ${c.files.map((f) => f.sha256).join(',')}`);
  let stateBeforeDeploy: string[];

  beforeAll(async () => {
    h = await startHarness();
    const emulator = h.backtrack.emulator!;
    // Given an org that already has an older DiscountCalculator, so the deploy updates one class and creates the rest.
    await emulator.admin.seed(emulator.defaultOrg.id, {
      components: [
        {
          files: {
            'classes/DiscountCalculator.cls': OLD_CALCULATOR,
            'classes/DiscountCalculator.cls-meta.xml': CLASS_META,
          },
        },
      ],
    });
    stateBeforeDeploy = orgState();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await closeStarted(browser, h);
  });

  it('serves the UI at / and any page path, while API paths keep their JSON answers', async () => {
    for (const route of ['/', '/branches/anything']) {
      const res = await h.api('GET', route, { token: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatch(/<title>Backtrack<\/title>/);
      expect(res.headers.get('content-security-policy') ?? '').toMatch(/default-src 'self'/);
    }
    expect((await h.api('GET', '/js/app.js', { token: null })).headers.get('content-type') ?? '').toMatch(/javascript/);
    const unknownApi = await h.api('GET', '/api/nothing-here');
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.body.message).toMatch(/no such route/);
    expect((await h.api('GET', '/api/orgs', { token: null })).status).toBe(401);
    expect((await h.api('GET', '/missing.js', { token: null })).status).toBe(404);
  });

  it("refuses a wrong token with the server's message, then signs in", async () => {
    await page.goto(h.url);
    await page.getByLabel('API token').fill('bt_wrong_token_0123456789abcdefghij');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /not valid/ })
      .waitFor();
    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await screenshot(page, 'sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Branches' }).waitFor();
  });

  let branchUrl: string;
  it('opens the seeded demo branch: its components, and no jobs yet', async () => {
    await page.getByRole('link', { name: 'demo' }).click();
    await page.getByRole('heading', { name: 'demo' }).waitFor();
    await page.getByTestId('panel-activities').getByText('No jobs yet — deploy a revision').waitFor();
    await page.getByRole('tab', { name: 'Components' }).click();
    await page.getByTestId('components-table').getByText('Demo_Order__c.Quantity__c').waitFor();
    expect(page.url()).toMatch(/#\/branches\/[0-9a-f-]{36}\/components$/);
    branchUrl = page.url().replace(/\/components$/, '/activities');
  });

  const deployRow = () => page.locator('[data-testid=activity][data-kind=Deploy]');
  it('deploys the revision: Activities shows the Deploy job reach Completed', async () => {
    await page.getByTestId('deploy-form').getByLabel('Org').selectOption({ label: 'Local Sandbox (sandbox)' });
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByRole('tab', { name: 'Activities', selected: true }).waitFor();
    await deployRow().locator('[data-status=Completed]').waitFor();
    expect(orgState()).not.toEqual(stateBeforeDeploy);
  });

  it('opens the job: summary, progress, per-component results, the log filtered to one component', async () => {
    await deployRow()
      .getByRole('link', { name: /^Deploy / })
      .click();
    await page.getByTestId('job-summary').waitFor();
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    const rows = page.getByTestId('job-components').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(7);
    await page
      .getByTestId('job-components')
      .locator('tr', { hasText: 'DiscountCalculator' })
      .getByText('update')
      .waitFor();
    await page.getByTestId('log').getByText('Finished: Completed').waitFor();
    await screenshot(page, 'job');
    await page.getByLabel('Show the log of').selectOption('ApexClass:OrderService');
    await page.getByTestId('log').getByText('Deployed: created').waitFor();
    const components = await page.getByTestId('log').locator('.component').allTextContents();
    expect(components.length > 0 && components.every((c) => c === 'ApexClass:OrderService')).toBeTruthy();
  });

  it('picks components to roll back: Add one, Remove it, Add all, then Run', async () => {
    await page.getByTestId('rollback-button').click();
    const candidates = page.getByTestId('rollback-candidates');
    await candidates.locator('tr', { hasText: 'DiscountCalculator' }).getByText('restore').waitFor();
    await candidates.locator('tr', { hasText: 'OrderService' }).first().getByText('delete').waitFor();
    expect(await page.getByTestId('run-rollback').isDisabled()).toBe(true); // nothing to run before a pick

    await page.getByRole('button', { name: 'Add ApexClass DiscountCalculator' }).click();
    const selection = page.getByTestId('rollback-selection');
    await selection.getByText('DiscountCalculator').waitFor();
    await screenshot(page, 'rollback-selection');
    await page.getByRole('button', { name: 'Remove ApexClass DiscountCalculator' }).click();
    await page.getByText('Nothing selected yet').waitFor();
    await page.getByRole('button', { name: 'Add ApexClass DiscountCalculator' }).click();
    await page.getByTestId('add-all').click();
    await page.getByText('Every changed component is selected.').waitFor();
    expect(await selection.locator('tbody tr').count()).toBe(7);

    // the deploy created Demo_Order__c and its fields: Run waits for the data-loss confirmation
    expect(await page.getByTestId('run-rollback').isDisabled()).toBe(true);
    await page.getByTestId('accept-data-loss').check();
    await page.getByTestId('run-rollback').click();
    await page.waitForURL(branchUrl);
    const rollbackRow = page.locator('[data-testid=activity][data-kind=Rollback]');
    await rollbackRow.locator('[data-status=Completed]').waitFor();
    const deployId = (await deployRow().getAttribute('data-job-id'))!;
    expect(await rollbackRow.getByTestId('deploy-link').getAttribute('href')).toBe(`#/jobs/${deployId}`);
    await screenshot(page, 'branch-activities');
  });

  it('left the org exactly as it was before the deploy', () => {
    expect(orgState()).toEqual(stateBeforeDeploy);
    const calculator = h.backtrack.emulator!.admin.getComponent(
      h.backtrack.emulator!.defaultOrg.id,
      'ApexClass',
      'DiscountCalculator',
    );
    expect(calculator?.files['classes/DiscountCalculator.cls']?.toString()).toBe(OLD_CALCULATOR);
  });

  it('offers no Rollback on the Rollback job, and fits a narrow window', async () => {
    await page.setViewportSize({ width: 380, height: 800 });
    await page
      .locator('[data-testid=activity][data-kind=Rollback]')
      .getByRole('link', { name: /^Rollback / })
      .click();
    await page.getByTestId('job-summary').getByText('Rolls back').waitFor();
    expect(await page.getByTestId('rollback-button').count()).toBe(0);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow <= 0).toBeTruthy();
    expect(pageErrors).toEqual([]);
  });

  it('shows the newest 50 jobs in Activities and loads older ones on request', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    const branchId = branchUrl.match(/branches\/([0-9a-f-]{36})/)![1]!;
    const orgId = (await h.api('GET', '/api/orgs')).body.items.find((o: any) => o.name === 'Local Sandbox').id;
    const ids: string[] = [];
    for (let i = 0; i < 50; i++)
      ids.push(
        (await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId, checkOnly: true } })).body.id,
      );
    for (const id of ids) await waitForJob(h, id);
    await page.goto(branchUrl);
    await page.reload();
    const rows = page.getByTestId('activity');
    await rows.nth(49).waitFor();
    expect(await rows.count()).toBe(50);
    expect(await rows.first().getAttribute('data-job-id')).toBe(ids.at(-1));
    await page.getByTestId('show-older').click();
    await page.locator('[data-testid=activity][data-kind=Rollback]').waitFor();
    expect(await rows.count()).toBe(52); // the 50 validations, the first deploy and its rollback
    expect(await page.getByTestId('show-older').count()).toBe(0); // nothing older is left to load
    expect(pageErrors).toEqual([]);
  });
});
